/**
 * `switchyard supervisor start|stop|status`: run switchyard's own s6-svscan on the scan directory
 * when the host does not run one. Idempotent: starting a running supervisor, or stopping a stopped
 * one, says so and succeeds.
 */
import { S6Supervisor } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Json from "../render/Json.js";

const describe = (s: S6Supervisor.State): string =>
  s.running
    ? `s6-svscan is running on ${s.scan}${s.pid === null ? " (not started by switchyard)" : ` (pid ${s.pid})`}, ${s.services} service${s.services === 1 ? "" : "s"}`
    : `no s6-svscan is running on ${s.scan}`;

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const [, action, extra] = ctx.args.positional;
    if (extra !== undefined || (action !== "start" && action !== "stop" && action !== "status")) {
      return yield* Failure.invalid("usage: switchyard supervisor start | stop | status");
    }
    const json = Args.flag(ctx.args, "json");
    if (action === "status") {
      const s = yield* S6Supervisor.status(ctx.root, ctx.services);
      if (json) Json.print(s);
      else process.stdout.write(`${describe(s)}\n`);
      return;
    }
    if (action === "start") {
      const s = yield* S6Supervisor.start(ctx.root, ctx.services);
      if (json) Json.print(s);
      else process.stdout.write(s.started ? `started s6-svscan (pid ${s.pid}) on ${s.scan}\n` : `already running: ${describe(s)}\n`);
      return;
    }
    const s = yield* S6Supervisor.stop(ctx.root, ctx.services);
    if (json) Json.print(s);
    else process.stdout.write(s.stopped ? `stopped s6-svscan (pid ${s.pid}) on ${s.scan}; its services are down\n` : `not running: ${describe(s)}\n`);
  });

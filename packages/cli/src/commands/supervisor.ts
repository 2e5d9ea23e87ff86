/**
 * `switchyard supervisor start|stop|status`: run switchyard's own s6-svscan on the scan directory
 * when the host does not run one. Idempotent: starting a running supervisor, or stopping a stopped
 * one, says so and succeeds.
 */
import { S6Supervisor } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import { SUPERVISOR_ACTIONS } from "../args/Commands.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";
import * as Failure from "../render/Failure.js";
import * as Json from "../render/Json.js";

const describe = (s: S6Supervisor.State): string =>
  s.running
    ? `s6-svscan is running on ${s.scan}${s.pid === null ? " (not started by switchyard)" : ` (pid ${s.pid})`}, ${s.services} service${s.services === 1 ? "" : "s"}`
    : `no s6-svscan is running on ${s.scan}`;

const say = (text: string): void => {
  process.stdout.write(`${Escape.line(text)}\n`);
};

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    // The parser admits only these; the lookup gives the action its type.
    const action = SUPERVISOR_ACTIONS.find((a) => a === ctx.args.positional[1]);
    if (action === undefined) return yield* Failure.usage("supervisor", "supervisor takes one ACTION: start, stop or status");
    const json = Args.flag(ctx.args, "json");
    if (action === "status") {
      const s = yield* S6Supervisor.status(ctx.root, ctx.services);
      if (json) Json.print(s);
      else say(describe(s));
      return;
    }
    if (action === "start") {
      const s = yield* S6Supervisor.start(ctx.root, ctx.services);
      if (json) Json.print(s);
      else say(s.started ? `started s6-svscan (pid ${s.pid}) on ${s.scan}` : `already running: ${describe(s)}`);
      return;
    }
    const s = yield* S6Supervisor.stop(ctx.root, ctx.services);
    if (json) Json.print(s);
    else say(s.stopped ? `stopped s6-svscan (pid ${s.pid}) on ${s.scan}; its services are down` : `not running: ${describe(s)}`);
  });

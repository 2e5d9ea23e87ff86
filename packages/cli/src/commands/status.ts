/**
 * `switchyard status [--json]`: the current, running and booted generation and, for each service,
 * what the service manager reports next to the revision it runs and whether that is the current
 * generation's record. With `--service-manager none` the services are not observed.
 */
import { Confirmation, Status } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Json from "../render/Json.js";
import * as RenderStatus from "../render/RenderStatus.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const status = yield* Status.observe(ctx.root, ctx.settings);
    // A provisional switch: what comes back, and when, unless `switchyard confirm` runs first.
    const pending = yield* Confirmation.read(ctx.root).pipe(Effect.orElseSucceed(() => null));
    const confirmation =
      pending === null
        ? null
        : { from: pending.from, to: pending.to, deadlineMs: pending.deadlineMs, deadline: new Date(pending.deadlineMs).toISOString(), watcher: pending.watcher?.pid ?? null, watcherAlive: yield* Confirmation.watcherAlive(pending) };
    if (Args.flag(ctx.args, "json")) Json.print({ ...status, confirmation });
    else process.stdout.write(`${RenderStatus.status(status)}\n${pending === null ? "" : `Pending confirmation: ${Confirmation.describe(pending)}${confirmation?.watcherAlive === true ? "" : " (no watcher: run 'switchyard recover')"}\n`}`);
  });

/**
 * `switchyard status [--json]`: the current, running and booted generation and, for each service,
 * what the service manager reports next to the revision it runs and whether that is the current
 * generation's record, a pending confirmation and a migration graph under way. With
 * `--service-manager none` the services are not observed.
 */
import { Confirmation, MigrationFiles, MigrationGate, Status } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";
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
    // A migration graph under way keeps the machine on it: say so, and how far it got.
    const graph = yield* MigrationFiles.read(ctx.root).pipe(Effect.either);
    const record = graph._tag === "Right" ? (graph.right?.record ?? null) : null;
    const migrations = record === null ? null : { from: record.from, to: record.to, summary: MigrationGate.summary(record), paused: record.paused };
    if (Args.flag(ctx.args, "json")) return Json.print({ ...status, confirmation, migrations });
    const graphLine =
      graph._tag === "Left" ? `Migration graph: ${graph.left.message}\n` : record === null ? "" : `Migration graph under way: ${MigrationGate.summary(record)} (see 'switchyard migrations')\n`;
    process.stdout.write(
      `${RenderStatus.status(status)}\n${pending === null ? "" : `Pending confirmation: ${Confirmation.describe(pending)}${confirmation?.watcherAlive === true ? "" : " (no watcher: run 'switchyard recover')"}\n`}${Escape.line(graphLine.trimEnd())}${graphLine === "" ? "" : "\n"}`,
    );
  });

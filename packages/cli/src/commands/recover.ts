/** `switchyard recover [--json]`: finish or revert an interrupted apply, and say which and why. */
import { Clock, Confirmation, Recover, Settle } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import * as AfterFailure from "./AfterFailure.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";
import * as Json from "../render/Json.js";
import * as Options from "../args/Options.js";
import { identityGiven } from "./snapshotCheck.js";
import * as Progress from "../render/Progress.js";
import * as Context from "../Context.js";
import * as Watcher from "./Watcher.js";
import * as MigrationOutcome from "./MigrationOutcome.js";
import * as MigrationsCommand from "./migrations.js";
import * as RenderMigrations from "../render/RenderMigrations.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const json = Args.flag(ctx.args, "json");
    // With --json nothing is printed as it goes, but a failure still reports the revert steps that ran.
    const progress = Progress.make(undefined, json ? () => undefined : undefined);
    const report = yield* Recover.recover({
      root: ctx.root,
      settings: ctx.settings,
      command: "recover",
      waitLockSeconds: Options.waitLockSeconds(ctx.args),
      onEvent: progress.onEvent,
      jobs: MigrationsCommand.jobs(ctx),
      ...(json ? {} : { onMigration: RenderMigrations.onEvent }),
      identity: identityGiven(ctx),
    }).pipe(
      // A recover that failed leaves the machine between generations: say exactly where it stands.
      Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, progress.reverted)),
    );
    const confirmation = yield* settle(ctx, report.action === "reverted", progress.onEvent);
    if (json) {
      Json.print({ ...report, confirmation });
      return;
    }
    if (report.action === "nothing" && report.migrations === null) process.stdout.write("nothing to recover: no apply was interrupted\n");
    else if (report.action === "nothing") process.stdout.write("no apply was interrupted; continued the migration graph under way\n");
    else {
      const where = report.action === "finished" ? `generation ${report.to} is now current` : `generation ${report.from ?? "(none)"} stays current`;
      process.stdout.write(`${Escape.line(`${report.action} the interrupted ${report.operation?._tag.toLowerCase() ?? "apply"}: ${report.reason}; ${where}`)}\n`);
    }
    // Each one by name: a leftover may be a directory or anything else a temp name was found on.
    if (confirmation !== null) process.stdout.write(`${Escape.line(confirmation)}\n`);
    if (report.cleaned.length > 0) {
      process.stdout.write(`removed ${report.cleaned.length} leftover temp file(s):\n${report.cleaned.map((p) => `  ${Escape.line(p)}\n`).join("")}`);
    }
    if (report.migrations !== null) yield* MigrationOutcome.conclude(report.migrations);
  });

/**
 * A pending confirmation whose watcher was lost: reverted once past its deadline, given a new
 * watcher before it. An interrupted switch that recover just reverted waits for nothing any more.
 */
const settle = (ctx: CommandContext, switchReverted: boolean, onEvent: Progress.Reporter["onEvent"]) =>
  Effect.gen(function* () {
    const pending = yield* Confirmation.read(ctx.root);
    if (pending === null) return null;
    if (switchReverted) {
      yield* Confirmation.remove(ctx.root);
      return `the provisional switch to generation ${pending.to} was reverted: nothing waits for confirmation`;
    }
    const clock = yield* Clock;
    const plan = pending.revert;
    const outcome = yield* Settle.settle({
      root: ctx.root,
      settings: plan.settings,
      command: "recover",
      waitLockSeconds: Options.waitLockSeconds(ctx.args),
      onEvent,
      nowMs: clock.nowMs,
      watcher: (token) => Watcher.request(ctx.root, token),
      token: null,
    }).pipe((settle) => Context.withServices(ctx.root, plan.settings.serviceManager, plan.settings, settle));
    switch (outcome._tag) {
      case "None":
        return null;
      case "Reverted":
        return `not confirmed by its deadline: reverted generation ${pending.to}; generation ${pending.from ?? "(none)"} is back`;
      case "Waiting":
        return `${Confirmation.describe(outcome.pending)} (its watcher, pid ${outcome.pending.watcher?.pid ?? "?"}, is alive)`;
      case "Unwatched":
        return `${Confirmation.describe(outcome.pending)}; its watcher was lost and no new one could start (${outcome.message}): run 'switchyard recover' again, or 'switchyard confirm'`;
      case "Rewatched":
        return `${Confirmation.describe(outcome.pending)}; its watcher was lost, a new one (pid ${outcome.pending.watcher?.pid ?? "?"}) waits`;
    }
  });

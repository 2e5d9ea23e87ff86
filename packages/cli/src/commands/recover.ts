/** `switchyard recover [--json]`: finish or revert an interrupted apply, and say which and why. */
import { Recover } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import * as AfterFailure from "./AfterFailure.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";
import * as Json from "../render/Json.js";
import * as Options from "../args/Options.js";
import * as Progress from "../render/Progress.js";
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
    }).pipe(
      // A recover that failed leaves the machine between generations: say exactly where it stands.
      Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, progress.reverted)),
    );
    if (json) {
      Json.print(report);
      return;
    }
    if (report.action === "nothing" && report.migrations === null) process.stdout.write("nothing to recover: no apply was interrupted\n");
    else if (report.action === "nothing") process.stdout.write("no apply was interrupted; continued the migration graph under way\n");
    else {
      const where = report.action === "finished" ? `generation ${report.to} is now current` : `generation ${report.from ?? "(none)"} stays current`;
      process.stdout.write(`${Escape.line(`${report.action} the interrupted ${report.operation?._tag.toLowerCase() ?? "apply"}: ${report.reason}; ${where}`)}\n`);
    }
    // Each one by name: a leftover may be a directory or anything else a temp name was found on.
    if (report.cleaned.length > 0) {
      process.stdout.write(`removed ${report.cleaned.length} leftover temp file(s):\n${report.cleaned.map((p) => `  ${Escape.line(p)}\n`).join("")}`);
    }
    if (report.migrations !== null) yield* MigrationOutcome.conclude(report.migrations);
  });

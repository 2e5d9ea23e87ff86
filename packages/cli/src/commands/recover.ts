/** `switchyard recover [--json]`: finish or revert an interrupted apply, and say which and why. */
import { Recover } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import * as AfterFailure from "./AfterFailure.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";
import * as Json from "../render/Json.js";
import * as Options from "../args/Options.js";
import { identityGiven } from "./snapshotCheck.js";
import * as Progress from "../render/Progress.js";

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
      identity: identityGiven(ctx),
    }).pipe(
      // A recover that failed leaves the machine between generations: say exactly where it stands.
      Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, progress.reverted)),
    );
    if (json) {
      Json.print(report);
      return;
    }
    if (report.action === "nothing") process.stdout.write("nothing to recover: no apply was interrupted\n");
    else {
      const where = report.action === "finished" ? `generation ${report.to} is now current` : `generation ${report.from ?? "(none)"} stays current`;
      process.stdout.write(`${Escape.line(`${report.action} the interrupted ${report.operation?._tag.toLowerCase() ?? "apply"}: ${report.reason}; ${where}`)}\n`);
    }
    // Each one by name: a leftover may be a directory or anything else a temp name was found on.
    if (report.cleaned.length > 0) {
      process.stdout.write(`removed ${report.cleaned.length} leftover temp file(s):\n${report.cleaned.map((p) => `  ${Escape.line(p)}\n`).join("")}`);
    }
  });

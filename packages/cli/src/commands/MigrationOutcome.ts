/**
 * What a run of the migration graph ends the command with: done (exit 0, also when the rest waits
 * for the boot into the target); paused by new items (exit 7: the graph is still under way);
 * failed (exit 1, with what was stopped and whether the switch is held or must go back).
 */
import type { Apply } from "@switchyard/interpreter";
import { Effect } from "effect";
import { ExitCode } from "../ExitCode.js";
import * as Escape from "../render/Escape.js";
import * as Failure from "../render/Failure.js";
import * as RenderMigrations from "../render/RenderMigrations.js";

export const conclude = (report: Apply.MigrationsReport) =>
  Effect.gen(function* () {
    if (report.stoppedBy !== null) {
      const message = `${report.stoppedBy} received: the migrations under way finished and no other was started; the graph is still under way: continue it with 'switchyard migrations continue'`;
      return yield* new Failure.Signalled({ signal: report.stoppedBy, message });
    }
    const line = RenderMigrations.outcomeLine(report.record, report.outcome, report.switchedBack);
    switch (report.outcome._tag) {
      case "Paused":
        return yield* new Failure.CommandFailed({ message: line ?? "the migration graph is paused", exit: ExitCode.MigrationsPending });
      case "Failed":
        return yield* Failure.failed(line ?? "a migration failed");
      default:
        if (line !== null) process.stdout.write(`${Escape.line(line)}\n`);
    }
  });

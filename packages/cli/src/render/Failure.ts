/**
 * Every way a command can end badly, turned into one line on standard error and an exit code.
 * This is the only place errors are formatted; commands fail with tagged values.
 */
import type { ApplyOutcome, StepCause, StopSignal } from "@switchyard/interpreter";
import type { SystemStatus } from "@switchyard/model";
import type { ConfirmationError, FsError, Vetoed, JournalPending, JournalUnreadable, LayoutError, LockHeld, MigrationsPending, MigrationsUnreadable, ObserveError, S6Supervisor, Snapshots, StalePlan } from "@switchyard/interpreter";
import { Data } from "effect";
import { ExitCode, ofSignal } from "../ExitCode.js";
import * as RenderStatus from "./RenderStatus.js";

/** A command's own refusal: bad input, nothing matched… */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly message: string; readonly exit: ExitCode }> {}

export const invalid = (message: string) => new CommandFailed({ message, exit: ExitCode.Invalid });
export const failed = (message: string) => new CommandFailed({ message, exit: ExitCode.Failed });

/** A plan that could not be made, with the exit code its reason documents. */
const PLAN_EXIT = { Invalid: ExitCode.Invalid, Failed: ExitCode.Failed, StateUnreadable: ExitCode.StateUnreadable, SnapshotDamaged: ExitCode.SnapshotDamaged } as const;

export const ofPlanError = (e: { readonly reason: keyof typeof PLAN_EXIT; readonly message: string }) => new CommandFailed({ message: e.message, exit: PLAN_EXIT[e.reason] });

/** The command line cannot be carried out as given (exit 2); reported as `switchyard COMMAND: …`. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly command: string; readonly message: string }> {}

export const usage = (command: string, message: string) => new UsageError({ command, message });

/** A manifest with problems, every one listed (field, line and column), so one round of fixes is enough. */
export class InvalidManifest extends Data.TaggedError("InvalidManifest")<{ readonly what: string; readonly problems: ReadonlyArray<string> }> {}

/** The user said no at the prompt, or closed it (Ctrl-C, Ctrl-D): nothing was done. */
export class Cancelled extends Data.TaggedError("Cancelled")<{ readonly message: string }> {}

/** A signal ended the command, or arrived when it could only finish: exit 128 + the signal's number. */
export class Signalled extends Data.TaggedError("Signalled")<{ readonly signal: StopSignal; readonly message: string }> {}

export interface Report {
  /** Set when the report is about how a command was called: its first line then names the command. */
  readonly command?: string;
  readonly lines: ReadonlyArray<string>;
  readonly exit: ExitCode;
}

interface ApplyFailedError {
  readonly _tag: "ApplyFailed";
  readonly message: string;
  readonly failure: { readonly lastLines: ReadonlyArray<string>; readonly cause: StepCause };
  readonly outcome: ApplyOutcome;
}

/** A failed apply with what the command saw around it: the revert steps that ran, and where the machine stands now. */
export class ApplyFailedReport extends Data.TaggedError("ApplyFailedReport")<{
  readonly failed: ApplyFailedError;
  readonly revertSteps: ReadonlyArray<string>;
  readonly state: SystemStatus.Status | null;
  /** Why the state could not be read, when it could not. */
  readonly stateError: string | null;
}> {}

/** Every error a command can fail with; Run.ts only accepts commands whose error channel is within it. */
export type Known =
  | CommandFailed
  | InvalidManifest
  | UsageError
  | Cancelled
  | Signalled
  | ApplyFailedReport
  | ApplyFailedError
  | S6Supervisor.SupervisorError
  | ObserveError
  | LockHeld
  | JournalPending
  | Vetoed
  | ConfirmationError
  | JournalUnreadable
  | LayoutError
  | StalePlan
  | MigrationsPending
  | MigrationsUnreadable
  | Snapshots.SnapshotError
  | FsError;

export const report = (e: Known): Report => {
  switch (e._tag) {
    case "CommandFailed":
      return { lines: [e.message], exit: e.exit };
    case "InvalidManifest":
      return { lines: [`${e.what}: ${e.problems.length === 1 ? "its manifest has a problem" : `its manifest has ${e.problems.length} problems`}; fix ${e.problems.length === 1 ? "it" : "them"} and try again`, ...e.problems], exit: ExitCode.Invalid };
    case "UsageError":
      return { command: e.command, lines: [e.message], exit: ExitCode.Invalid };
    case "Cancelled":
      return { lines: [e.message], exit: ExitCode.Cancelled };
    case "Signalled":
      return { lines: [e.message], exit: ofSignal(e.signal) };
    case "ObserveError":
      return { lines: [e.message], exit: e.reason === "Io" ? ExitCode.Failed : ExitCode.Invalid };
    case "LockHeld":
      return { lines: [e.message], exit: ExitCode.Locked };
    case "JournalPending":
      return { lines: [e.message], exit: ExitCode.Interrupted };
    case "JournalUnreadable":
      return { lines: [e.message], exit: ExitCode.Invalid };
    case "Vetoed":
      return { lines: [e.message], exit: ExitCode.Vetoed };
    case "ConfirmationError":
      return { lines: [e.message], exit: e.reason === "NotApplicable" ? ExitCode.Invalid : ExitCode.Failed };
    case "LayoutError":
      return { lines: [e.message], exit: e.reason === "Newer" ? ExitCode.Invalid : ExitCode.Failed };
    case "StalePlan":
      return { lines: [e.message], exit: ExitCode.Stale };
    case "MigrationsPending":
      return { lines: [e.message], exit: ExitCode.MigrationsPending };
    case "MigrationsUnreadable":
      return { lines: [e.message], exit: ExitCode.Failed };
    case "FsError":
      return { lines: [e.message], exit: ExitCode.Failed };
    case "SnapshotError":
      return { lines: [e.message], exit: snapshotExit[e.reason] };
    case "SupervisorError":
      return { lines: [e.message], exit: ExitCode.Failed };
    case "ApplyFailedReport":
      return { lines: [...failedLines(e.failed, e.state), ...afterwards(e)], exit: exitOf(e.failed) };
    case "ApplyFailed":
      return { lines: failedLines(e, undefined), exit: exitOf(e) };
  }
};

const snapshotExit: Record<Snapshots.SnapshotError["reason"], ExitCode> = {
  Damaged: ExitCode.SnapshotDamaged,
  Identity: ExitCode.SnapshotIdentity,
  NotFound: ExitCode.Invalid,
  Io: ExitCode.Failed,
  Tool: ExitCode.Failed,
};

/** A signal's own code when a signal stopped the apply, else "failed". */
const exitOf = (e: ApplyFailedError): ExitCode =>
  e.failure.cause._tag === "Interrupted"
    ? ofSignal(e.failure.cause.signal)
    : e.failure.cause._tag === "SnapshotError" && e.outcome._tag !== "CommittedIncomplete" && e.failure.cause.reason !== "NotFound"
      ? snapshotExit[e.failure.cause.reason]
      : ExitCode.Failed;

/** The headline, the program's last output, and where that left the machine (judged by `state` when it was read). */
const failedLines = (e: ApplyFailedError, state: SystemStatus.Status | null | undefined): ReadonlyArray<string> => {
  const lines = [e.message];
  if (e.failure.lastLines.length > 0) lines.push("its last output:", ...e.failure.lastLines.map((l) => `  | ${l}`));
  return [...lines, ...outcomeLines(e, state)];
};

/** Services the current generation has that are not up: while there are any, nothing "is running again". */
const down = (state: SystemStatus.Status): ReadonlyArray<string> =>
  (state.services ?? []).filter((l) => l.wanted !== null && (l.observed === null || !l.observed.up)).map((l) => l.name);

const reverted = (state: SystemStatus.Status | null | undefined): string => {
  if (state === undefined) return "reverted: the previous generation is running again; the boot default did not move";
  if (state === null) return "reverted: the links and the boot default are as they were; whether every service is back could not be checked";
  const missing = down(state);
  if (missing.length === 0) return "reverted: the previous generation is running again; the boot default did not move";
  const names = missing.join(", ");
  return `reverted, but ${names} ${missing.length === 1 ? "is" : "are"} not running (see the state below); the links and the boot default are as they were`;
};

/** Where the failure left the machine, in the words of what to do next. */
const outcomeLines = ({ failure, outcome }: ApplyFailedError, state: SystemStatus.Status | null | undefined): ReadonlyArray<string> => {
  switch (outcome._tag) {
    case "NothingChanged":
      return [];
    case "CommittedIncomplete":
      return ["the transition was committed; 'switchyard recover' finishes it once the cause is fixed"];
    case "Reverted":
    case "RevertedJournalLeft":
      return [reverted(state)];
    case "RevertFailed":
      return [
        // A revert that recover ran has no forward failure before it: the headline named the step.
        ...(outcome.revertFailure === failure ? [] : [`reverting failed too, at '${outcome.revertFailure.description}': ${outcome.revertFailure.message}`]),
        "the machine may be between generations; the journal is kept: fix the cause and run 'switchyard recover'",
      ];
  }
};

/** What the revert did and the state now: every link and every service, so nothing is left to guess. */
const afterwards = (e: ApplyFailedReport): ReadonlyArray<string> => {
  const lines: Array<string> = [];
  if (e.revertSteps.length > 0) lines.push("revert steps run:", ...e.revertSteps.map((step) => `  ${step}`));
  if (e.state === null) lines.push(`the state now could not be read: ${e.stateError ?? "unknown error"}; check 'switchyard status'`);
  else lines.push("state now:", ...RenderStatus.links(e.state).map((l) => `  ${l}`), ...RenderStatus.serviceRows(e.state).map((r) => `  ${r}`));
  return lines;
};

/**
 * The interpreter's failures, as tagged errors the CLI turns into one line and an exit code.
 * `reason` says which sub-kind; `message` names the thing and what to do about it.
 */
import type { Step } from "@switchyard/model";
import { Data } from "effect";
import type { FsError } from "./ports/FileSystem.js";
import type { ProcessError } from "./ports/ProcessRunner.js";
import type { ServiceError } from "./ports/ServiceManager.js";
import type { MigrationsPending, MigrationsUnreadable } from "./migrations/MigrationErrors.js";
import type { SnapshotError } from "./snapshots/SnapshotError.js";

/** The machine's state could not be read or makes no sense (bad config, escaping or dangling link…). */
export class ObserveError extends Data.TaggedError("ObserveError")<{
  readonly reason: "Config" | "Layout" | "Link" | "Io";
  readonly message: string;
}> {}

/**
 * A file-system failure while reading the machine: a path that leads out of the root is the
 * machine's shape, refused like an escaping link (exit 2); anything else is an I/O failure.
 */
export const observeFailure = (e: FsError, message: string = e.message): ObserveError =>
  new ObserveError({ reason: e.reason === "OutsideRoot" ? "Link" : "Io", message });

/** Another apply holds the lock. */
export class LockHeld extends Data.TaggedError("LockHeld")<{
  readonly message: string;
}> {}

/** A saved plan no longer matches the machine. */
export class StalePlan extends Data.TaggedError("StalePlan")<{
  readonly message: string;
}> {}

/** A link the commit relies on is not what the plan left it as (a `CheckLink` step). */
export class LinkMoved extends Data.TaggedError("LinkMoved")<{
  readonly path: string;
  /** What the plan expects it to hold, and what it holds (null: nothing there). */
  readonly expected: string | null;
  readonly found: string | null;
  readonly message: string;
}> {}

/** The signals that stop an apply at the next step boundary. */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** A signal arrived; the apply stopped at a step boundary instead of running the next step. */
export class Interrupted extends Data.TaggedError("Interrupted")<{
  readonly signal: StopSignal;
  readonly message: string;
}> {}

/** What made a step fail, with its own tagged reason (`FsError.reason`, `ProcessError.reason`, …). */
export type StepCause = FsError | ProcessError | ServiceError | LinkMoved | Interrupted | MigrationsPending | MigrationsUnreadable | SnapshotError;

export interface StepFailure {
  /** Index in its phase's steps; -1 for the journal's own bookkeeping, which is no step of the plan. */
  readonly index: number;
  /** The plan's step that failed, or null for the journal's bookkeeping. */
  readonly step: Step.Step | null;
  /** One line naming what failed: the step's description, or "write the journal". */
  readonly description: string;
  readonly cause: StepCause;
  readonly message: string;
  readonly lastLines: ReadonlyArray<string>;
}

/**
 * Where a failed apply (or recover) left the machine, and so what the user should do next:
 * - NothingChanged: the journal could not be written, no step ran;
 * - Reverted: a step before the commit point failed and the revert put everything back;
 * - RevertedJournalLeft: reverted, but the journal could not be removed (`recover` cleans up);
 * - RevertFailed: the revert failed too; the journal is kept for `recover`;
 * - CommittedIncomplete: the commit point was passed; `recover` finishes the transition.
 */
export type ApplyOutcome =
  | { readonly _tag: "NothingChanged" }
  | { readonly _tag: "Reverted" }
  | { readonly _tag: "RevertedJournalLeft"; readonly journalFailure: string }
  | { readonly _tag: "RevertFailed"; readonly revertFailure: StepFailure }
  | { readonly _tag: "CommittedIncomplete" };

/** A step failed; `outcome` says where that left the machine. */
export class ApplyFailed extends Data.TaggedError("ApplyFailed")<{
  readonly failure: StepFailure;
  readonly outcome: ApplyOutcome;
  readonly message: string;
}> {}

/** An earlier apply was interrupted: `switchyard recover` must finish or revert it first. */
export class JournalPending extends Data.TaggedError("JournalPending")<{
  readonly message: string;
}> {}

/** The journal exists but cannot be decoded; nothing is guessed. */
export class JournalUnreadable extends Data.TaggedError("JournalUnreadable")<{
  readonly message: string;
}> {}

/** The state directory's layout is newer than this switchyard, or could not be migrated. */
export class LayoutError extends Data.TaggedError("LayoutError")<{
  readonly reason: "Newer" | "Failed";
  readonly message: string;
}> {}

/** A pre-switch hook refused the switch (it exited non-zero, was killed or timed out); nothing was changed. */
export class Vetoed extends Data.TaggedError("Vetoed")<{
  readonly hook: string;
  readonly how: string;
  readonly lastLine: string | null;
  readonly message: string;
}> {}

/**
 * Confirm or revert: NotApplicable: the plan cannot wait for a confirmation; Pending: a switch
 * waits for one, so nothing else may change the machine; Nothing: `confirm` found none waiting.
 */
export class ConfirmationError extends Data.TaggedError("ConfirmationError")<{
  readonly reason: "NotApplicable" | "Pending" | "Nothing";
  readonly message: string;
}> {}

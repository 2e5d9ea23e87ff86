/**
 * The interpreter's failures, as tagged errors the CLI turns into one line and an exit code.
 * `reason` says which sub-kind; `message` names the thing and what to do about it.
 */
import { Data } from "effect";

/** The machine's state could not be read or makes no sense (bad config, escaping or dangling link…). */
export class ObserveError extends Data.TaggedError("ObserveError")<{
  readonly reason: "Config" | "Layout" | "Link" | "Io";
  readonly message: string;
}> {}

/** Another apply holds the lock. */
export class LockHeld extends Data.TaggedError("LockHeld")<{
  readonly message: string;
}> {}

/** A saved plan no longer matches the machine. */
export class StalePlan extends Data.TaggedError("StalePlan")<{
  readonly message: string;
}> {}

export interface StepFailure {
  readonly index: number;
  readonly step: string;
  readonly message: string;
  readonly lastLines: ReadonlyArray<string>;
}

/** A step failed; `reverted` tells whether the machine was put back, `revertFailure` why not. */
export class ApplyFailed extends Data.TaggedError("ApplyFailed")<{
  readonly failure: StepFailure;
  readonly committed: boolean;
  readonly reverted: boolean;
  readonly revertFailure: StepFailure | null;
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

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

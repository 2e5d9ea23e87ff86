/**
 * One phase of a plan (its steps, or its revert steps) carried out from a given step: each step in
 * order, progress events, the journal record of the Commit step, and the flushing of removals.
 */
import { Step } from "@switchyard/model";
import { Effect } from "effect";
import type { ApplyOptions } from "./Apply.js";
import * as ApplyJournal from "../state/ApplyJournal.js";
import type { StepFailure } from "../Errors.js";
import * as Failpoint from "../durable/Failpoint.js";
import * as Staged from "../state/Staged.js";
import * as Steps from "./Steps.js";

export interface PhaseResult {
  readonly failure: StepFailure | null;
  readonly recorded: number;
}

/**
 * Run `steps` from index `from`. Stops at the first failure (a step that fails, or a journal record
 * that cannot be written) and says which. A run of removals flushes its directory once (see
 * `Steps.Unflushed`). The journal records the Commit step only: every step is
 * idempotent, so recovery re-runs the revert from its start, or the forward steps from the commit
 * point, and a record after every step would cost an fsync each (1,000 of them to delete 1,000
 * generations) for nothing.
 */
export const run = (steps: ReadonlyArray<Step.Step>, phase: ApplyJournal.Progress["phase"], from: number, options: ApplyOptions) =>
  Effect.gen(function* () {
    let recorded = 0;
    const unflushed = new Steps.Unflushed();
    const flushed = Effect.gen(function* () {
      const flush = yield* Effect.either(unflushed.flush);
      if (flush._tag === "Right") return null;
      const step = steps[unflushed.last] as Step.Step;
      return { failure: { index: unflushed.last, step, description: Step.describe(step), ...flush.left }, recorded } satisfies PhaseResult;
    });
    for (let index = from; index < steps.length; index++) {
      const step = steps[index] as Step.Step;
      if (unflushed.pending && step._tag !== "RemoveLink" && step._tag !== "RemoveFile") {
        const failed = yield* flushed;
        if (failed !== null) return failed;
      }
      options.onEvent?.(phase === "forward" ? { _tag: "StepStarted", index, step } : { _tag: "RevertStarted", index, step });
      const outcome = yield* Effect.either(
        Steps.runDeferring(step, index, options, unflushed, options.staged?.get(Staged.keyOf(phase, index))).pipe(
          Effect.tap(() =>
            step._tag === "Commit"
              ? ApplyJournal.record(options.root, { phase, done: index }).pipe(
                  Effect.mapError((e): Steps.StepError => ({ cause: e, message: `cannot record the commit in the journal: ${e.message}`, lastLines: [] })),
                )
              : Effect.void,
          ),
        ),
      );
      if (outcome._tag === "Left") {
        return { failure: { index, step, description: Step.describe(step), ...outcome.left }, recorded } satisfies PhaseResult;
      }
      if (outcome.right === "recorded") recorded++;
      yield* Failpoint.hit(`${phase}:step-${index}`);
    }
    return (yield* flushed) ?? ({ failure: null, recorded } satisfies PhaseResult);
  });

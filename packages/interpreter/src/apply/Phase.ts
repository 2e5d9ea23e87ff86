/**
 * One phase of a plan (its steps, or its revert steps) carried out from a given step: each step in
 * order, progress events, a signal's stop before the commit point, the journal record of the Commit step, and the flushing of removals.
 */
import { StateSteps, Step } from "@switchyard/model";
import { Effect } from "effect";
import type { ApplyOptions } from "./Apply.js";
import * as ApplyJournal from "../state/ApplyJournal.js";
import { Interrupted, type StepFailure, type StopSignal } from "../Errors.js";
import * as Durable from "../durable/Durable.js";
import * as Failpoint from "../durable/Failpoint.js";
import * as Root from "../root/Root.js";
import * as Staged from "../state/Staged.js";
import * as Steps from "./Steps.js";
import type { FileSystem } from "../ports/FileSystem.js";
import type { ProcessRunner } from "../ports/ProcessRunner.js";
import { ServiceManager } from "../ports/ServiceManager.js";

const encoder = new TextEncoder();

/** A WriteFile whose bytes the journal staged beside its destination: renamed into place. */
const moveStaged = (staged: string, step: Step.Step & { readonly _tag: "WriteFile" }, options: ApplyOptions) =>
  Durable.moveInto(staged, Root.host(options.root, step.path), encoder.encode(step.content)).pipe(
    Effect.as("done" as const),
    Effect.mapError((e): Steps.StepError => ({ cause: e, message: e.message, lastLines: [] })),
  );

/** The signal that asks the apply to stop, if one has arrived. */
export const signalled = (options: ApplyOptions): Effect.Effect<StopSignal | null> => options.interrupted ?? Effect.succeed(null);

/** Where a signal stopped the apply: before step `index` (or before anything, -1). */
export const stopped = (signal: StopSignal, index: number, step: Step.Step | null): StepFailure => {
  const where = step === null ? "before the apply started" : `before step ${index + 1} '${Step.describe(step)}'`;
  const message = `${signal} received: stopped ${where}`;
  return { index, step, description: step === null ? "start the apply" : Step.describe(step), cause: new Interrupted({ signal, message }), message, lastLines: [] };
};

export interface PhaseResult {
  readonly failure: StepFailure | null;
  readonly recorded: number;
  /** State steps recorded, not run (no service manager: see `recordsState`). */
  readonly stateRecorded?: number;
}

/**
 * With no service manager, service steps are only recorded: nothing is really stopped, so a
 * directory captured then would not be quiesced, and a restore would swap data under a running
 * service. The state steps are recorded with them instead of run.
 */
const recordsState = (kind: string, step: Step.Step): boolean => kind === "none" && StateSteps.isStateStep(step);

/**
 * Run `steps` from index `from`. Stops at the first failure (a step that fails, or a journal record
 * that cannot be written) and says which. A run of removals flushes its directory once (see
 * `Steps.Unflushed`). The journal records the Commit step only: every step is
 * idempotent, so recovery re-runs the revert from its start, or the forward steps from the commit
 * point, and a record after every step would cost an fsync each (1,000 of them to delete 1,000
 * generations) for nothing. Before each step up to `stoppableUntil` (the commit point) a signal
 * stops the run there, as a failure of that step that did nothing (the removals before it flushed).
 */
export const run = (steps: ReadonlyArray<Step.Step>, phase: ApplyJournal.Progress["phase"], from: number, options: ApplyOptions, stoppableUntil = -1) =>
  Effect.gen(function* () {
    let recorded = 0;
    let stateRecorded = 0;
    const kind = (yield* ServiceManager).kind;
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
      // A run of removals past the commit point (deleting generations): one call of the port, each
      // still reported and counted as a step of its own. Before the commit point each step waits
      // for its signal check.
      if (index > stoppableUntil && Steps.isRemoval(step) && !recordsState(kind, step)) {
        let end = index + 1;
        while (end < steps.length && Steps.isRemoval(steps[end] as Step.Step) && !recordsState(kind, steps[end] as Step.Step)) end++;
        options.onEvent?.({ _tag: "Burst", edge: "start" });
        const failed = yield* Steps.runRemovals(steps, index, end, options, unflushed, {
          started: (k) => options.onEvent?.(phase === "forward" ? { _tag: "StepStarted", index: k, step: steps[k] as Step.Step } : { _tag: "RevertStarted", index: k, step: steps[k] as Step.Step }),
          finished: (k) => {
            options.onEvent?.({ _tag: "StepFinished", phase, index: k, step: steps[k] as Step.Step, ok: true });
            Failpoint.hitNow(`${phase}:step-${k}`);
          },
        }).pipe(Effect.ensuring(Effect.sync(() => options.onEvent?.({ _tag: "Burst", edge: "end" }))));
        if (failed !== null) {
          const failedStep = steps[failed.index] as Step.Step;
          options.onEvent?.({ _tag: "StepFinished", phase, index: failed.index, step: failedStep, ok: false });
          return { failure: { index: failed.index, step: failedStep, description: Step.describe(failedStep), ...failed.error }, recorded } satisfies PhaseResult;
        }
        index = end - 1;
        continue;
      }
      const signal = index <= stoppableUntil ? yield* signalled(options) : null;
      if (signal !== null) return (yield* flushed) ?? ({ failure: stopped(signal, index, step), recorded } satisfies PhaseResult);
      options.onEvent?.(phase === "forward" ? { _tag: "StepStarted", index, step } : { _tag: "RevertStarted", index, step });
      const staged = step._tag === "WriteFile" ? options.staged?.get(Staged.keyOf(phase, index)) : undefined;
      const carried: Effect.Effect<Steps.Outcome, Steps.StepError, FileSystem | ProcessRunner | ServiceManager> = recordsState(kind, step)
        ? Effect.succeed("state-recorded")
        : staged !== undefined && step._tag === "WriteFile"
          ? moveStaged(staged, step, options)
          : Steps.runDeferring(step, index, options, unflushed);
      const outcome = yield* Effect.either(
        carried.pipe(
          Effect.tap(() =>
            step._tag === "Commit"
              ? ApplyJournal.record(options.root, { phase, done: index }).pipe(
                  Effect.mapError((e): Steps.StepError => ({ cause: e, message: `cannot record the commit in the journal: ${e.message}`, lastLines: [] })),
                )
              : Effect.void,
          ),
        ),
      );
      options.onEvent?.({ _tag: "StepFinished", phase, index, step, ok: outcome._tag === "Right" });
      if (outcome._tag === "Left") {
        return { failure: { index, step, description: Step.describe(step), ...outcome.left }, recorded } satisfies PhaseResult;
      }
      if (outcome.right === "recorded") recorded++;
      if (outcome.right === "state-recorded") stateRecorded++;
      yield* Failpoint.hit(`${phase}:step-${index}`);
    }
    return (yield* flushed) ?? ({ failure: null, recorded, stateRecorded } satisfies PhaseResult);
  });

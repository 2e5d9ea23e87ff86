/**
 * Carries out a plan. It recomputes nothing from the generations: the plan alone drives it, so
 * what `plan` showed is exactly what happens. Under the lock it first checks the plan's
 * preconditions (a stale plan touches nothing), then runs the steps in order. A failure before
 * the Commit step runs the plan's `revert` steps, putting the machine back on the generation it
 * was running; the boot default never moved, because it is only written after Commit.
 */
import { Plan, Preconditions, Step, type World } from "@switchyard/model";
import { Effect } from "effect";
import { ApplyFailed, StalePlan, type StepFailure } from "./Errors.js";
import * as Lock from "./Lock.js";
import * as Observe from "./Observe.js";
import * as Steps from "./Steps.js";
import * as Root from "./Root.js";

export interface ApplyOptions {
  readonly root: Root.Root;
  readonly settings: World.Settings;
  /** How the lock names this run, e.g. "apply rollback". */
  readonly command: string;
  readonly activationTimeoutMs: number;
  /** Progress: one line per step started, and every output line of scripts it runs. */
  readonly onEvent?: (event: Steps.Event) => void;
}

export interface ApplyReport {
  readonly stepsRun: number;
  /** Service steps the service manager only recorded (there is no manager to carry them out). */
  readonly servicesRecorded: number;
}

export const applyPlan = Effect.fn("applyPlan")(function* (plan: Plan.Plan, options: ApplyOptions) {
  return yield* Lock.withLock(options.root, options.command, runLocked(plan, options));
});

/** The body of apply once the lock is held: exported for `recover` and for tests that hold the lock themselves. */
export const runLocked = (plan: Plan.Plan, options: ApplyOptions) =>
  Effect.gen(function* () {
    const now = yield* Observe.preconditionWorld(options.root, options.settings);
    const stale = Preconditions.difference(plan.preconditions, now);
    if (stale !== null) {
      return yield* new StalePlan({ message: `the plan is stale: ${stale}; compute it again with 'switchyard plan'` });
    }
    const commitAt = Plan.commitIndex(plan);
    let recorded = 0;
    for (const [index, step] of plan.steps.entries()) {
      options.onEvent?.({ _tag: "StepStarted", index, step });
      const outcome = yield* Effect.either(Steps.run(step, options));
      if (outcome._tag === "Right") {
        if (outcome.right === "recorded") recorded++;
        continue;
      }
      const failure: StepFailure = { index, step: Step.describe(step), message: outcome.left.message, lastLines: outcome.left.lastLines };
      if (index > commitAt) {
        return yield* new ApplyFailed({
          failure,
          committed: true,
          reverted: false,
          revertFailure: null,
          message: `${failure.step} failed after the transition was committed: ${failure.message}; run the same apply again to finish it`,
        });
      }
      const revertFailure = yield* revert(plan, options);
      return yield* new ApplyFailed({
        failure,
        committed: false,
        reverted: revertFailure === null,
        revertFailure,
        message: `${failure.step} failed: ${failure.message}`,
      });
    }
    return { stepsRun: plan.steps.length, servicesRecorded: recorded } satisfies ApplyReport;
  });

/** Run the revert steps; stop at the first that fails and say which. */
const revert = (plan: Plan.Plan, options: ApplyOptions) =>
  Effect.gen(function* () {
    for (const [index, step] of plan.revert.entries()) {
      options.onEvent?.({ _tag: "RevertStarted", index, step });
      const outcome = yield* Effect.either(Steps.run(step, options));
      if (outcome._tag === "Left") {
        return { index, step: Step.describe(step), message: outcome.left.message, lastLines: outcome.left.lastLines } satisfies StepFailure;
      }
    }
    return null;
  });

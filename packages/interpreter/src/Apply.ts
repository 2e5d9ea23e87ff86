/**
 * Carries out a plan. It recomputes nothing from the generations: the plan alone drives it, so
 * what `plan` showed is exactly what happens. Under the lock it refuses to start while an earlier
 * apply's journal is pending, checks the plan's preconditions (a stale plan touches nothing),
 * writes the journal, and runs the steps, recording each in the journal. A failure before the
 * Commit step runs the plan's `revert` steps; the boot default never moved, because it is only
 * written after Commit. A failure after Commit, or of the revert, leaves the journal for `recover`.
 */
import { Plan, Preconditions, Step, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as ApplyJournal from "./ApplyJournal.js";
import { ApplyFailed, JournalPending, StalePlan, type StepFailure } from "./Errors.js";
import * as Failpoint from "./Failpoint.js";
import * as Layout from "./Layout.js";
import * as Lock from "./Lock.js";
import * as Observe from "./Observe.js";
import * as Root from "./Root.js";
import * as Steps from "./Steps.js";

export interface ApplyOptions {
  readonly root: Root.Root;
  readonly settings: World.Settings;
  /** How the lock names this run, e.g. "apply rollback". */
  readonly command: string;
  readonly activationTimeoutMs: number;
  /** Seconds to wait for another apply's lock; 0 fails at once. */
  readonly waitLockSeconds?: number;
  /** Progress: one line per step started, and every output line of scripts it runs. */
  readonly onEvent?: (event: Steps.Event) => void;
}

export interface ApplyReport {
  readonly stepsRun: number;
  /** Service steps the service manager only recorded (there is no manager to carry them out). */
  readonly servicesRecorded: number;
}

export const applyPlan = Effect.fn("applyPlan")(function* (plan: Plan.Plan, options: ApplyOptions) {
  return yield* Lock.withLock(options.root, options.command, options.waitLockSeconds ?? 0, (holder) => runLocked(plan, options, holder.token));
});

/** Fails when an interrupted apply's journal is waiting for `recover`. */
export const refuseIfJournal = (root: Root.Root) =>
  Effect.flatMap(
    ApplyJournal.read(root).pipe(Effect.catchTag("JournalUnreadable", () => Effect.succeed("unreadable" as const))),
    (entry) =>
      entry === null
        ? Effect.void
        : Effect.fail(
            new JournalPending({
              message: `an earlier apply was interrupted (journal ${ApplyJournal.directory(root)}); run 'switchyard recover' to finish or revert it first`,
            }),
          ),
  );

/** The body of apply once the lock is held. */
export const runLocked = (plan: Plan.Plan, options: ApplyOptions, token: string) =>
  Effect.gen(function* () {
    yield* refuseIfJournal(options.root);
    const now = yield* Observe.preconditionWorld(options.root, options.settings);
    const stale = Preconditions.difference(plan.preconditions, now);
    if (stale !== null) {
      return yield* new StalePlan({ message: `the plan is stale: ${stale}; compute it again with 'switchyard plan'` });
    }
    if (plan.steps.length === 0) return { stepsRun: 0, servicesRecorded: 0 } satisfies ApplyReport;
    if ((yield* Layout.detect(options.root))._tag === "Empty") yield* Layout.stamp(options.root).pipe(Effect.mapError(journalFailure));
    yield* ApplyJournal.begin(options.root, plan, token).pipe(Effect.mapError(journalFailure));
    const forward = yield* runSteps(plan.steps, "forward", 0, options);
    if (forward.failure === null) {
      yield* ApplyJournal.finish(options.root, token).pipe(Effect.mapError(journalFailure));
      return { stepsRun: plan.steps.length, servicesRecorded: forward.recorded } satisfies ApplyReport;
    }
    const failure = forward.failure;
    if (failure.index > Plan.commitIndex(plan)) {
      return yield* new ApplyFailed({
        failure,
        committed: true,
        reverted: false,
        revertFailure: null,
        message: `${failure.step} failed after the transition was committed: ${failure.message}; run 'switchyard recover' to finish it`,
      });
    }
    const back = yield* runSteps(plan.revert, "revert", 0, options);
    if (back.failure === null) yield* ApplyJournal.finish(options.root, token).pipe(Effect.mapError(journalFailure));
    return yield* new ApplyFailed({
      failure,
      committed: false,
      reverted: back.failure === null,
      revertFailure: back.failure,
      message: `${failure.step} failed: ${failure.message}`,
    });
  });

const journalFailure = (e: { readonly message: string }) =>
  new ApplyFailed({
    failure: { index: -1, step: "write the journal", message: e.message, lastLines: [] },
    committed: false,
    reverted: true,
    revertFailure: null,
    message: `cannot write the journal: ${e.message}`,
  });

export interface PhaseResult {
  readonly failure: StepFailure | null;
  readonly recorded: number;
}

/**
 * Run `steps` from index `from`, recording each completed one in the journal. Stops at the first
 * failure (a step that fails, or a journal record that cannot be written) and says which.
 */
export const runSteps = (steps: ReadonlyArray<Step.Step>, phase: ApplyJournal.Progress["phase"], from: number, options: ApplyOptions) =>
  Effect.gen(function* () {
    let recorded = 0;
    for (let index = from; index < steps.length; index++) {
      const step = steps[index] as Step.Step;
      options.onEvent?.(phase === "forward" ? { _tag: "StepStarted", index, step } : { _tag: "RevertStarted", index, step });
      const outcome = yield* Effect.either(
        Steps.run(step, options).pipe(
          Effect.tap(() => ApplyJournal.record(options.root, { phase, done: index }).pipe(Effect.mapError((e) => ({ message: `cannot record progress in the journal: ${e.message}`, lastLines: [] })))),
        ),
      );
      if (outcome._tag === "Left") {
        return { failure: { index, step: Step.describe(step), message: outcome.left.message, lastLines: outcome.left.lastLines }, recorded } satisfies PhaseResult;
      }
      if (outcome.right === "recorded") recorded++;
      yield* Failpoint.hit(`${phase}:step-${index}`);
    }
    return { failure: null, recorded } satisfies PhaseResult;
  });

/**
 * Carries out a plan. It recomputes nothing from the generations: the plan alone drives it, so
 * what `plan` showed is exactly what happens. Under the lock it refuses to start while an earlier
 * apply's journal is pending, checks that a saved plan still holds and is what a fresh plan would
 * do (`Freshness`: a stale or altered plan touches nothing),
 * writes the journal, and runs the steps, recording each in the journal. A failure before the
 * Commit step runs the plan's `revert` steps; the boot default never moved, because it is only
 * written after Commit. A failure after Commit, or of the revert, leaves the journal for `recover`.
 * A signal (reported through `interrupted`, which the caller owns) is acted on between steps only:
 * before the commit point the apply stops there and reverts, after it the apply finishes.
 */
import { Plan, Step, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as ApplyJournal from "../state/ApplyJournal.js";
import { ApplyFailed, Interrupted, JournalPending, type StepFailure, type StopSignal } from "../Errors.js";
import * as Failpoint from "../durable/Failpoint.js";
import * as Confirm from "./Confirm.js";
import type * as Confirmation from "../state/Confirmation.js";
import * as Forget from "../snapshots/Forget.js";
import * as Freshness from "./Freshness.js";
import * as Hooks from "./Hooks.js";
import type { FsError } from "../ports/FileSystem.js";
import * as Layout from "../state/Layout.js";
import * as Lock from "../state/Lock.js";
import * as Root from "../root/Root.js";
import * as Staged from "../state/Staged.js";
import * as Phase from "./Phase.js";
import type * as Steps from "./Steps.js";
import * as AfterSteps from "../migrations/AfterSteps.js";
import * as Gate from "../migrations/Gate.js";
import type * as Runner from "../migrations/Runner.js";

export interface ApplyOptions {
  readonly root: Root.Root;
  /** Where `recover` looks for leftovers; applying a plan uses the plan's settings instead. */
  readonly settings: World.Settings;
  /** How the lock names this run, e.g. "apply rollback". */
  readonly command: string;
  /** Seconds to wait for another apply's lock; 0 fails at once. */
  readonly waitLockSeconds?: number;
  /** Progress: one line per step started, and every output line of scripts it runs. */
  readonly onEvent?: (event: Steps.Event) => void;
  /** Told the plan about to run (after its preconditions held). */
  readonly onPlan?: (plan: Plan.Plan) => void;
  /** What a refusal of a plan that no longer holds tells the user to do (default: make it again with `plan`). */
  readonly again?: string;
  /**
   * The first stop signal received so far, if any: asked before each step until the commit point,
   * and once at the end. An effect, so the caller can let its signal handlers run first.
   */
  readonly interrupted?: Effect.Effect<StopSignal | null>;
  /** Leave the switch provisional: reverted at the deadline unless `switchyard confirm` comes first. */
  readonly confirm?: Confirm.ConfirmOptions;
  /** This apply is the revert of a pending confirmation (the one apply allowed while it waits). */
  readonly reverting?: boolean;
  /** At most this many migrations run at once (default 1; the CLI passes the number of CPUs). */
  readonly jobs?: number;
  readonly onMigration?: (event: Runner.Event) => void;
  /** Host path of the age identity that opens encrypted snapshots (`--identity`); else the config's. */
  readonly identity?: string | null;
  /** Where the journal staged each WriteFile step's bytes, by `Staged.keyOf`. */
  readonly staged?: ReadonlyMap<string, string>;
}

export interface ApplyReport {
  readonly stepsRun: number;
  /** Service steps the service manager only recorded (there is no manager to carry them out). */
  readonly servicesRecorded: number;
  /** State steps only recorded: with no service manager nothing is really stopped, so no capture would be quiesced. */
  readonly stateRecorded?: number;
  /** What went wrong after the commit that the apply does not fail for (retention): one line each, for a warning. */
  readonly warnings?: ReadonlyArray<string>;
  /** A signal that arrived once the apply could no longer stop: it finished instead. */
  readonly interrupted: StopSignal | null;
  /** The pending confirmation this apply left (with `confirm`). */
  readonly confirmation?: Confirmation.Pending;
  /** The migration graph this apply ran or continued after its steps (null: none). */
  readonly migrations?: MigrationsReport | null;
}

export type MigrationsReport = AfterSteps.MigrationsReport;

export const applyPlan = Effect.fn("applyPlan")(function* (plan: Plan.Plan, options: ApplyOptions) {
  return yield* Lock.withLock(options.root, options.command, options.waitLockSeconds ?? 0, (holder) => runLocked(plan, options, holder.token));
});

/**
 * Take the lock first, then compute the plan and let the caller review it (print, confirm), then
 * run it: waiting for another apply (`--wait-lock`) never leaves us with a plan made stale by it.
 * Returns null when the review declined.
 */
export const planAndApply = <E, R, E2, R2>(
  options: ApplyOptions,
  compute: Effect.Effect<Plan.Plan, E, R>,
  review: (plan: Plan.Plan) => Effect.Effect<boolean, E2, R2>,
) =>
  Lock.withLock(options.root, options.command, options.waitLockSeconds ?? 0, (holder) =>
    Effect.gen(function* () {
      yield* refuseIfJournal(options.root);
      if (options.reverting !== true) yield* Confirm.refuseIfPending(options.root);
      const plan = yield* compute;
      // Continuing a graph under way was asked for by applying its switch again: there is nothing to review.
      const along = yield* Gate.check(options.root, plan);
      if (along !== "continue" && !(yield* review(plan))) return null;
      // Computed from what was observed under this very lock: its preconditions hold by construction.
      return { plan, report: yield* runLocked(plan, options, holder.token, false) };
    }),
  );

/** Whether a journal is there, and whether its apply is still running (its lock holder is alive). */
export const journalStatus = (root: Root.Root) =>
  Effect.gen(function* () {
    const entry = yield* ApplyJournal.read(root).pipe(Effect.catchTag("JournalUnreadable", () => Effect.succeed("unreadable" as const)));
    if (entry === null) return "none" as const;
    return (yield* Lock.liveHolder(root)) === null ? ("interrupted" as const) : ("running" as const);
  });

/**
 * Fails when an interrupted apply's journal is waiting for `recover`. Only meaningful with the lock
 * held (or its holder known dead): a running apply has a journal too.
 */
export const refuseIfJournal = (root: Root.Root) =>
  Effect.flatMap(
    ApplyJournal.read(root).pipe(Effect.catchTag("JournalUnreadable", () => Effect.succeed("unreadable" as const))),
    (entry) =>
      entry === null
        ? Effect.void
        : Effect.fail(interrupted(root)),
  );

export const interrupted = (root: Root.Root) =>
  new JournalPending({
    message: `an earlier apply was interrupted (journal ${ApplyJournal.directory(root)}); run 'switchyard recover' to finish or revert it first`,
  });

/**
 * The body of apply once the lock is held: the plan's steps, then the migration graph, which runs
 * once the apply is done (its own record is what a crash resumes from).
 */
export const runLocked = (plan: Plan.Plan, given: ApplyOptions, token: string, checkPreconditions = true) =>
  Effect.gen(function* () {
    const along = yield* Gate.check(given.root, plan);
    const report = yield* transition(plan, given, token, checkPreconditions);
    const graph = along === "continue" || plan.steps.some((s) => s._tag === "BeginMigrations");
    return { ...report, migrations: graph ? yield* migrations({ ...given, settings: plan.settings }, token) : null } satisfies ApplyReport;
  });

/** Continue the graph under way (the lock held as `token`); a switch back runs as a plan of its own. */
export const migrations = (options: ApplyOptions, token: string) =>
  AfterSteps.run(options, (back) => transition(back, options, token, false));

/** The plan's steps, journaled; a failure before the commit reverts. */
const transition = (plan: Plan.Plan, given: ApplyOptions, token: string, checkPreconditions = true) =>
  Effect.gen(function* () {
    // The plan's own settings, not the caller's, say how its steps run.
    const options: ApplyOptions = { ...given, settings: plan.settings };
    yield* refuseIfJournal(options.root);
    if (options.reverting !== true) yield* Confirm.refuseIfPending(options.root);
    if (checkPreconditions) yield* Freshness.check(plan, options.root, options.again);
    if (plan.steps.length === 0) return { stepsRun: 0, servicesRecorded: 0, interrupted: null } satisfies ApplyReport;
    // Asked again under the lock, from the generation being left: a "no" leaves everything as it was.
    yield* Hooks.preSwitch(plan, options, "apply");
    const undo = options.confirm === undefined ? null : yield* Confirm.prepare(plan, options.root);
    const early = yield* Phase.signalled(options);
    if (early !== null) {
      return yield* new ApplyFailed({ failure: Phase.stopped(early, -1, null), outcome: { _tag: "NothingChanged" }, message: `${early} received before the apply started; nothing was changed` });
    }
    options.onPlan?.(plan);
    if ((yield* Layout.detect(options.root))._tag === "Empty") yield* Layout.stamp(options.root).pipe(Effect.mapError(journalFailure));
    const held = undo === null || options.confirm === undefined ? null : yield* Confirm.hold(options.root, plan, undo, token, options.confirm).pipe(Effect.mapError((e) => (e._tag === "FsError" ? journalFailure(e) : e)));
    const staged = yield* ApplyJournal.begin(options.root, plan, token).pipe(Effect.mapError(journalFailure), Effect.tapError(() => (held === null ? Effect.void : Confirm.drop(options.root))));
    const run: ApplyOptions = { ...options, staged: Staged.paths(options.root, staged) };
    const forward = yield* runSteps(plan.steps, "forward", 0, run, Plan.commitIndex(plan));
    if (forward.failure === null) {
      yield* ApplyJournal.finish(options.root, token, staged).pipe(Effect.mapError(cleanupFailure));
      const retained = yield* Forget.afterApply(options.root, plan);
      const watched = held === null || options.confirm === undefined ? held : yield* Confirm.started(options.root, held, options.confirm);
      const report: ApplyReport = {
        stepsRun: plan.steps.length,
        servicesRecorded: forward.recorded,
        stateRecorded: forward.stateRecorded,
        interrupted: yield* Phase.signalled(options),
        ...(retained._tag === "RetentionFailed" ? { warnings: [retained.message] } : {}),
      };
      return watched === null ? report : { ...report, confirmation: watched };
    }
    const failure = forward.failure;
    if (failure.index > Plan.commitIndex(plan)) {
      return yield* new ApplyFailed({
        failure,
        outcome: { _tag: "CommittedIncomplete" },
        message: `${failure.description} failed after the transition was committed: ${failure.message}; run 'switchyard recover' to finish it`,
      });
    }
    const back = yield* ApplyJournal.record(options.root, { phase: "revert", done: -1 }).pipe(
      Effect.matchEffect({
        onFailure: (e) =>
          Effect.succeed({ failure: bookkeeping("record the revert in the journal", e), recorded: 0 } satisfies PhaseResult),
        onSuccess: () => runSteps(plan.revert, "revert", 0, run),
      }),
    );
    if (back.failure === null) {
      if (held !== null) yield* Confirm.drop(options.root);
      yield* ApplyJournal.finish(options.root, token, staged).pipe(
        Effect.mapError(
          (e) =>
            new ApplyFailed({
              failure,
              outcome: { _tag: "RevertedJournalLeft", journalFailure: e.message },
              message: `${failure.description} failed: ${failure.message}; it was reverted, but its journal could not be removed (${e.message}): run 'switchyard recover' to clean up`,
            }),
        ),
      );
    }
    return yield* new ApplyFailed({
      failure,
      outcome: back.failure === null ? { _tag: "Reverted" } : { _tag: "RevertFailed", revertFailure: back.failure },
      message: failure.cause._tag === "Interrupted" ? failure.message : `${failure.description} failed: ${failure.message}`,
    });
  });

/** A failure of the journal's own bookkeeping, which is no step of the plan. */
const bookkeeping = (description: string, e: FsError): StepFailure => ({ index: -1, step: null, description, cause: e, message: e.message, lastLines: [] });

/** The journal could not be started: nothing was done. */
const journalFailure = (e: FsError) =>
  new ApplyFailed({
    failure: bookkeeping("write the journal", e),
    outcome: { _tag: "NothingChanged" },
    message: `cannot write the journal, so nothing was changed: ${e.message}`,
  });

/** Everything was done but the journal could not be removed: recover only has to clean up. */
const cleanupFailure = (e: FsError) =>
  new ApplyFailed({
    failure: bookkeeping("remove the journal", e),
    outcome: { _tag: "CommittedIncomplete" },
    message: `the transition is done but its journal could not be removed: ${e.message}; run 'switchyard recover' to clean up`,
  });

export type PhaseResult = Phase.PhaseResult;
export const runSteps = Phase.run;

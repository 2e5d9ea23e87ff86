/**
 * Confirm or revert, inside an apply: before anything changes, the way back is computed from the
 * world the switch starts from (`Confirmation.revertPlan`); once every step has run, the pending
 * confirmation is written before the journal goes (a crash in between leaves both, and `recover`
 * finishes the one and keeps the other); then the watcher is started detached, in a session of its
 * own, and the record names it. `revert` is what the watcher (or `recover`) does at the deadline.
 */
import { Confirmation as Model, type Plan } from "@switchyard/model";
import { Effect } from "effect";
import * as Confirmation from "../state/Confirmation.js";
import { ConfirmationError } from "../Errors.js";
import * as Observe from "../observe/Observe.js";
import { ProcessRunner, type DetachRequest } from "../ports/ProcessRunner.js";
import type * as Root from "../root/Root.js";

export interface ConfirmOptions {
  readonly withinMs: number;
  /** The wall clock, read when the switch is done: the deadline counts from then. */
  readonly nowMs: Effect.Effect<number>;
  /** How to start the watcher for the confirmation with this token. */
  readonly watcher: (token: string) => DetachRequest;
}

/** Fails while a switch waits for its confirmation: the revert it records must stay right. */
export const refuseIfPending = (root: Root.Root) =>
  Effect.flatMap(Confirmation.read(root), (pending) =>
    pending === null
      ? Effect.void
      : Effect.fail(new ConfirmationError({ reason: "Pending", message: `${Confirmation.describe(pending)}; run 'switchyard confirm' to keep it (or 'switchyard recover' once the deadline has passed)` })),
  );

/** The plan that undoes `plan`, from the world as it is now (under the lock, before any step). */
export const prepare = (plan: Plan.Plan, root: Root.Root) =>
  Effect.gen(function* () {
    const world = yield* Observe.world(root, plan.settings);
    const back = Model.revertPlan(world, plan);
    if (back._tag === "Left") return yield* new ConfirmationError({ reason: "NotApplicable", message: back.left.message });
    return back.right;
  });

/**
 * Journal the pending confirmation before the first step: a crash anywhere in the apply leaves it
 * for `recover`, so a provisional switch never becomes a permanent one by accident.
 */
export const hold = (root: Root.Root, plan: Plan.Plan, back: Plan.Plan, token: string, options: ConfirmOptions) =>
  Effect.gen(function* () {
    const to = plan.to;
    if (to === null) return yield* new ConfirmationError({ reason: "NotApplicable", message: "--confirm-within needs a plan that switches to a generation" });
    const deadlineMs = (yield* options.nowMs) + options.withinMs;
    const pending: Model.Pending = { token, from: back.to, to, deadlineMs, watcher: null, revert: back };
    yield* Confirmation.write(root, pending);
    return pending;
  });

/** Start the watcher and record it; a watcher that cannot start is left to `recover` to replace. */
export const watch = (root: Root.Root, pending: Model.Pending, options: Pick<ConfirmOptions, "watcher">) =>
  Effect.gen(function* () {
    const proc = yield* ProcessRunner;
    const pid = yield* proc.startDetached(options.watcher(pending.token));
    const held: Model.Pending = { ...pending, watcher: { pid, bootId: proc.bootId } };
    yield* Confirmation.write(root, held);
    return held;
  });

/** Once every step has run: the deadline counts from now, and the watcher starts. */
export const started = (root: Root.Root, pending: Model.Pending, options: ConfirmOptions) =>
  Effect.gen(function* () {
    const now = yield* options.nowMs;
    const moved: Model.Pending = { ...pending, deadlineMs: now + options.withinMs };
    yield* Confirmation.write(root, moved).pipe(Effect.ignore);
    return yield* watch(root, moved, options).pipe(Effect.orElseSucceed(() => moved));
  });

/** The switch was reverted (or never started): nothing waits for a confirmation any more. */
export const drop = (root: Root.Root) => Confirmation.remove(root).pipe(Effect.ignore);

/**
 * What becomes of a pending confirmation, decided under the lock: past its deadline it is reverted
 * (the recorded plan applied as it is: nothing is decided again), before it a lost watcher is
 * replaced, and a live watcher is left to wait. The watcher calls this at its deadline, `recover`
 * whenever it runs; `confirm` is the other way out (it removes the record).
 */
import type { Confirmation as Model } from "@switchyard/model";
import { Effect } from "effect";
import * as Apply from "./Apply.js";
import * as Confirm from "./Confirm.js";
import * as Confirmation from "../state/Confirmation.js";
import * as Lock from "../state/Lock.js";
import type { DetachRequest } from "../ports/ProcessRunner.js";

export type Outcome =
  | { readonly _tag: "None" }
  | { readonly _tag: "Reverted"; readonly pending: Model.Pending }
  | { readonly _tag: "Waiting"; readonly pending: Model.Pending }
  | { readonly _tag: "Rewatched"; readonly pending: Model.Pending }
  /** Its watcher was lost and no new one could be started. */
  | { readonly _tag: "Unwatched"; readonly pending: Model.Pending; readonly message: string };

export interface SettleOptions extends Apply.ApplyOptions {
  readonly nowMs: Effect.Effect<number>;
  /** Start a new watcher for a confirmation whose watcher was lost (recover); null: never (the watcher itself). */
  readonly watcher: ((token: string) => DetachRequest) | null;
  /** Act only on the confirmation with this token (a watcher's own); null: whichever is pending. */
  readonly token: string | null;
  /** Revert only once the deadline has passed (recover) or whenever asked (the watcher, which waited for it). */
  readonly early?: boolean;
}

/** Apply the recorded way back under the held lock, then drop the record: the switch is undone. */
const revert = (pending: Model.Pending, options: SettleOptions, lockToken: string) =>
  Effect.gen(function* () {
    yield* Apply.runLocked(pending.revert, { ...options, reverting: true }, lockToken, false);
    yield* Confirmation.remove(options.root);
    return { _tag: "Reverted", pending } satisfies Outcome;
  });

export const settleLocked = (options: SettleOptions, lockToken: string) =>
  Effect.gen(function* () {
    const pending = yield* Confirmation.read(options.root);
    if (pending === null || (options.token !== null && pending.token !== options.token)) return { _tag: "None" } satisfies Outcome as Outcome;
    const now = yield* options.nowMs;
    if (options.early === true || now >= pending.deadlineMs) return yield* revert(pending, options, lockToken);
    if (yield* Confirmation.watcherAlive(pending)) return { _tag: "Waiting", pending } satisfies Outcome;
    if (options.watcher === null) return { _tag: "Waiting", pending } satisfies Outcome;
    return yield* Confirm.watch(options.root, pending, { watcher: options.watcher }).pipe(
      Effect.map((watched): Outcome => ({ _tag: "Rewatched", pending: watched })),
      Effect.catchAll((e) => Effect.succeed<Outcome>({ _tag: "Unwatched", pending, message: e.message })),
    );
  });

/** Take the lock, then settle. */
export const settle = (options: SettleOptions) => Lock.withLock(options.root, options.command, options.waitLockSeconds ?? 0, (holder) => settleLocked(options, holder.token));

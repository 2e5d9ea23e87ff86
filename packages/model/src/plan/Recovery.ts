/**
 * What `recover` does with an interrupted apply, decided from its journal alone: the plan it was
 * carrying out and how far it got. Past the commit point the transition can only be finished (the
 * remaining steps run again from the one after the commit record); before it, or once a revert
 * began, the plan's revert steps run. Every step is idempotent, so the step under way when the
 * crash came is simply run again. The interpreter carries the decision out and reports its reason.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as Plan from "./Plan.js";

/** `progress.json`: the phase, and the index of the last completed step of it that was recorded. */
export const Progress = t.readonly(
  // Named by its values, so an unknown phase is reported with both of them.
  t.type({ phase: t.keyof({ forward: null, revert: null }, '"forward" | "revert"'), done: t.number }, "Progress"),
);
export type Progress = t.TypeOf<typeof Progress>;

export const start: Progress = { phase: "forward", done: -1 };
export const reverting: Progress = { phase: "revert", done: -1 };

export interface Journal {
  readonly plan: Plan.Plan;
  readonly progress: Progress;
}

export type Recovery =
  | { readonly _tag: "Nothing"; readonly reason: string }
  /** Run `plan.steps` from index `from`. */
  | { readonly _tag: "Finish"; readonly from: number; readonly reason: string }
  /** Record the revert phase, then run `plan.revert` from index `from`. */
  | { readonly _tag: "Revert"; readonly from: number; readonly reason: string };

/**
 * Whether `progress` can belong to `plan`: `done` is -1 (nothing recorded yet) or the index of a step
 * of its phase. Anything else is a journal that cannot be trusted, refused rather than guessed at.
 */
export const check = (plan: Plan.Plan, progress: Progress): E.Either<string, Progress> => {
  const steps = progress.phase === "forward" ? plan.steps : plan.revert;
  if (!Number.isInteger(progress.done) || progress.done < -1 || progress.done >= steps.length) {
    return E.left(`progress.json says step ${progress.done} of the ${progress.phase} phase is done, but that phase has ${steps.length} step${steps.length === 1 ? "" : "s"}`);
  }
  return E.right(progress);
};

/** The decision for a journal, or for none. */
export const decide = (journal: Journal | null): Recovery => {
  if (journal === null) return { _tag: "Nothing", reason: "no interrupted apply" };
  const { plan, progress } = journal;
  const commitAt = Plan.commitIndex(plan);
  if (progress.phase === "revert") {
    return { _tag: "Revert", from: progress.done + 1, reason: "the interrupted apply was already reverting, so the revert was completed" };
  }
  if (progress.done >= commitAt) {
    const reason =
      progress.done + 1 >= plan.steps.length
        ? `the interrupted apply had run all ${plan.steps.length} of its steps and only its journal was left, so it was finished`
        : `the interrupted apply had passed its commit point (step ${commitAt + 1} of ${plan.steps.length}), so it was finished`;
    return { _tag: "Finish", from: progress.done + 1, reason };
  }
  return {
    _tag: "Revert",
    from: 0,
    reason: `the interrupted apply had not reached its commit point (step ${commitAt + 1} of ${plan.steps.length}), so it was reverted`,
  };
};

/**
 * Before a saved plan runs: it must still be what `switchyard plan` would make. The world is
 * observed again (under the lock, with the plan's own settings and snapshot store, so a config
 * changed since is not read); its preconditions must hold, and
 * a fresh plan for the saved request (same operation, mode, services policy, trial attempts and
 * clock reading; a bless is planned again from the booted generation and the bootloader's files)
 * must do exactly the same steps and revert steps. So a saved plan can only ever do what a plan
 * computed now would do; editing it, even with a recomputed checksum, grants nothing.
 */
import { Assessment, Bless, Plan, Preconditions, Transition } from "@switchyard/model";
import * as E from "fp-ts/lib/Either.js";
import { Effect } from "effect";
import { StalePlan } from "../Errors.js";
import * as Observe from "../observe/Observe.js";
import type * as Root from "../root/Root.js";
import * as Chosen from "../migrations/Chosen.js";

const AGAIN = "compute it again with 'switchyard plan'";

/** `again` says what to do when the plan no longer holds (a plan reviewed at a prompt is made again by the same command). */
export const check = Effect.fn("checkSavedPlan")(function* (plan: Plan.Plan, root: Root.Root, again: string = AGAIN) {
  const world = yield* Observe.world(root, plan.settings, plan.snapshots);
  const stale = Preconditions.difference(plan.preconditions, Preconditions.of(world));
  if (stale !== null) return yield* new StalePlan({ message: `the plan is stale: ${stale}; ${again}` });
  const saved = Transition.savedRequest(plan);
  const planned =
    saved._tag === "Adding"
      ? Transition.adding(world, { ...saved, manifest: yield* Observe.readManifest(root, saved.system) })
      : saved._tag === "Blessing"
        ? E.map((outcome: Bless.Outcome) => outcome.plan)(Bless.plan(world, saved.verdict))
        : Transition.between(world, saved.request);
  // The checks run again and the migrations come from the recorded choices again, never from the saved plan itself.
  const fresh = planned._tag === "Left" ? planned : yield* Chosen.attach(root, world, planned.right);
  if (fresh._tag === "Left") {
    return yield* new StalePlan({ message: `the plan is stale: a fresh plan for the same request cannot be made (${fresh.left.message}); ${again}` });
  }
  const difference = Plan.firstDifference(plan, fresh.right);
  if (difference !== null) {
    return yield* new StalePlan({ message: `the plan is not what a fresh plan for the same request does: ${Plan.describeDifference(difference)}; ${again}` });
  }
  // The checks run again too: a plan whose checks now say otherwise is not the plan that was reviewed.
  const checked = Assessment.difference(plan, fresh.right);
  if (checked !== null) return yield* new StalePlan({ message: `the plan is stale: ${checked}; ${again}` });
});

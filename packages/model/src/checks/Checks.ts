/**
 * Which checks a plan runs and what they are told. A plan that switches to a generation (switch,
 * rollback, in any mode) runs that generation's checks; the others (delete, add, restart, bless)
 * run none. The direction is decided here, from the generation numbers, so that every check and
 * hook reads the same answer: a higher number is an upgrade, a lower one a rollback.
 */
import type { Plan } from "../plan/Plan.js";
import * as TargetEpochs from "../state/TargetEpochs.js";
import * as World from "../world/World.js";
import type * as Declaration from "./Declaration.js";

export type Direction = "upgrade" | "rollback" | "same";

/** A first switch (nothing current yet) counts as an upgrade. */
export const direction = (from: number | null, to: number): Direction => (from === null || to > from ? "upgrade" : to < from ? "rollback" : "same");

/** The transition a plan's checks look at. */
export interface Context {
  readonly from: number | null;
  readonly to: number;
  readonly fromSystem: string | null;
  readonly toSystem: string;
  readonly direction: Direction;
  readonly mode: Plan["mode"];
  /** The target's stateful services with their epochs and their data's (`TargetEpochs.json`), for `SWITCHYARD_EPOCHS`. */
  readonly epochs: string;
}

const SWITCHING: ReadonlySet<string> = new Set(["Switch", "Rollback"]);

/** The transition of a plan that switches to a generation, or null when the plan switches to none. */
export const contextOf = (world: World.World, plan: Plan): Context | null => {
  if (!SWITCHING.has(plan.operation._tag) || plan.to === null) return null;
  const target = World.generation(world, plan.to);
  if (target === undefined) return null;
  const from = plan.from === null ? undefined : World.generation(world, plan.from);
  return {
    from: plan.from,
    to: plan.to,
    fromSystem: from?.system ?? null,
    toSystem: target.system,
    direction: direction(plan.from, plan.to),
    mode: plan.mode,
    epochs: TargetEpochs.json(TargetEpochs.of(world, target)),
  };
};

/** The target's manifest, when it decoded (an invalid one already failed the plan). */
export const targetManifest = (world: World.World, context: Context) => {
  const m = World.generation(world, context.to)?.manifest;
  return m?._tag === "Valid" ? m.manifest : null;
};

/** The check programs the target declares, in the order it lists them. */
export const declared = (world: World.World, context: Context): ReadonlyArray<Declaration.Check> => targetManifest(world, context)?.checks ?? [];

/** What every check program finds in its environment. `root` is the managed root as a host path ("/" for the machine itself). */
export const environment = (context: Context, root: string): Readonly<Record<string, string>> => ({
  SWITCHYARD_FROM: context.from === null ? "" : String(context.from),
  SWITCHYARD_TO: String(context.to),
  SWITCHYARD_DIRECTION: context.direction,
  SWITCHYARD_FROM_SYSTEM: context.fromSystem ?? "",
  SWITCHYARD_TO_SYSTEM: context.toSystem,
  SWITCHYARD_MODE: context.mode,
  SWITCHYARD_ROOT: root,
  SWITCHYARD_EPOCHS: context.epochs,
});

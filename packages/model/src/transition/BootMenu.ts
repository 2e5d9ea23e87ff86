/**
 * The one way a plan rewrites the boot menu (switch, delete and add alike): render the menu with a
 * given default over a given set of generations, note the generations it had to leave out, and
 * write the file only when its bytes change.
 */
import * as E from "fp-ts/lib/Either.js";
import * as BootConfig from "../boot/BootConfig.js";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import type * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import type * as World from "../world/World.js";

export interface Menu {
  readonly step: Step.Step;
  readonly summary: Plan.BootSummary;
}

/**
 * The step writing the menu of `generations` (default: the world's) with `defaultNumber` first;
 * null when no boot config is managed or it already reads exactly so. Left-out generations are
 * added to `warnings`.
 */
export const write = (
  world: World.World,
  defaultNumber: GenerationNumber,
  warnings: Array<string>,
  generations: ReadonlyArray<World.Generation> = world.generations,
): E.Either<PlanError.PlanError, Menu | null> => {
  const bc = world.bootConfig;
  if (bc === null || world.settings.bootloader === "none") return E.right(null);
  const rendered = BootConfig.render(generations === world.generations ? world : { ...world, generations }, defaultNumber);
  if (E.isLeft(rendered)) return E.left(PlanError.invalid(rendered.left.message));
  for (const s of rendered.right.skipped) warnings.push(`generation ${s.number} left out of the boot menu: ${s.reason}`);
  if (bc.content === rendered.right.content) return E.right(null);
  return E.right({ step: { _tag: "WriteFile", path: bc.path, content: rendered.right.content }, summary: rendered.right.summary });
};

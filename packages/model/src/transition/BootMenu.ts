/**
 * The one way a plan rewrites the boot menu (switch, try, delete, add and bless alike): ask the
 * configured bootloader (`BootSteps`) for the steps that make its files boot a given default (and
 * trial) over a given set of generations, note the generations the menu had to leave out, and
 * give no steps at all when the files already read exactly so.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as BootFiles from "../boot/BootFiles.js";
import * as BootSteps from "../boot/BootSteps.js";
import type * as Plan from "../plan/Plan.js";
import type * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import type * as World from "../world/World.js";

export interface Menu {
  /** In the bootloader's order, each durable before the next; never empty. */
  readonly steps: ReadonlyArray<Step.Step>;
  readonly summary: Plan.BootSummary;
}

export interface Options {
  /** The generations the menu lists (default: the world's). */
  readonly generations?: ReadonlyArray<World.Generation>;
  /** The bootloader's files as earlier steps of the same plan leave them (default: as observed). */
  readonly observed?: BootFiles.Observed;
}

/**
 * The steps writing the menu with `request.default` first (and `request.trial` on trial); null when
 * no bootloader is managed or its files already read exactly so. Left-out generations are added
 * to `warnings`.
 */
export const write = (
  world: World.World,
  request: BootSteps.Request,
  warnings: Array<string>,
  options: Options = {},
): E.Either<PlanError.PlanError, Menu | null> => {
  const generations = options.generations ?? world.generations;
  const seen = generations === world.generations ? world : { ...world, generations };
  const boot = BootSteps.plan(seen, request, options.observed ?? BootSteps.observedOf(world));
  if (E.isLeft(boot)) return boot;
  if (boot.right === null) return E.right(null);
  warnings.push(...boot.right.warnings);
  return E.right(boot.right.steps.length === 0 ? null : { steps: boot.right.steps, summary: boot.right.summary });
};

/**
 * Registering a built system directory as a new generation: number max+1 (never current+1, which
 * would overwrite a generation after a rollback, as Guix does), its link stamped with the creation
 * time, and the boot menu rewritten to offer it among the older entries. Adding never switches.
 */
import * as E from "fp-ts/lib/Either.js";
import * as BootMenu from "./BootMenu.js";
import * as GenerationNumber from "../world/GenerationNumber.js";
import type * as InRootPath from "../paths/InRootPath.js";
import * as Manifest from "../world/Manifest.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

export interface NewSystem {
  readonly system: InRootPath.InRootPath;
  readonly manifest: World.ManifestResult;
  /** The new link's creation time; recorded in the plan, which is computed again from it. */
  readonly nowMs: number;
  readonly utcOffsetMinutes: number;
}

export const plan = (world: World.World, added: NewSystem): E.Either<PlanError.PlanError, Plan.Plan> => {
  if (added.manifest._tag === "Invalid") return E.left(PlanError.invalid(Manifest.errorLine(added.manifest.error)));
  const request = {
    operation: { _tag: "Add", system: added.system },
    mode: "boot",
    nowMs: added.nowMs,
    utcOffsetMinutes: added.utcOffsetMinutes,
  } as const;
  const newest = world.generations[world.generations.length - 1];
  if (newest !== undefined && newest.system === added.system) {
    return E.right(Plan.make(world, { ...request, to: newest.number, boot: null, steps: [], warnings: [] }));
  }
  const number = GenerationNumber.next(newest?.number ?? null);
  if (number === null) {
    return E.left(PlanError.invalid(`generation ${GenerationNumber.MAX} is the largest number a generation can have, so no generation can be added after it`));
  }
  const generation: World.Generation = {
    number,
    link: World.linkPathOf(world.settings, number),
    system: added.system,
    createdMs: added.nowMs,
    utcOffsetMinutes: added.utcOffsetMinutes,
    header: World.headerOf(added.manifest),
    manifest: added.manifest,
  };
  const steps: Array<Step.Step> = [{ _tag: "Commit" }, { _tag: "CreateGenerationLink", path: generation.link, target: added.system, createdMs: added.nowMs }];
  const warnings: Array<string> = [];
  let boot: Plan.BootSummary | null = null;
  if (world.current !== null) {
    const menu = BootMenu.write(world, { default: world.current, trial: "keep" }, warnings, { generations: [...world.generations, generation] });
    if (E.isLeft(menu)) return menu;
    if (menu.right !== null) {
      steps.push(...menu.right.steps);
      boot = menu.right.summary;
    }
  }
  return E.right(Plan.make(world, { ...request, to: number, boot, steps, warnings }));
};

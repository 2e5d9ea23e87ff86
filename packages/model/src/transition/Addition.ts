/**
 * Registering a built system directory as a new generation: number max+1 (never current+1, which
 * would overwrite a generation after a rollback, as Guix does), its link stamped with the creation
 * time, and the boot menu rewritten to offer it among the older entries. Adding never switches.
 */
import * as E from "fp-ts/lib/Either.js";
import * as BootSteps from "../boot/BootSteps.js";
import * as GenerationNumber from "../world/GenerationNumber.js";
import type * as InRootPath from "../paths/InRootPath.js";
import * as Manifest from "../world/Manifest.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import * as Preconditions from "../plan/Preconditions.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

export interface NewSystem {
  readonly system: InRootPath.InRootPath;
  readonly manifest: World.ManifestResult;
  readonly nowMs: number;
  readonly utcOffsetMinutes: number;
}

export const plan = (world: World.World, added: NewSystem): E.Either<PlanError.PlanError, Plan.Plan> => {
  if (added.manifest._tag === "Invalid") return E.left(PlanError.invalid(Manifest.errorLine(added.manifest.error)));
  const newest = world.generations[world.generations.length - 1];
  const base = {
    format: "switchyard-plan" as const,
    version: 1 as const,
    operation: { _tag: "Add" as const, system: added.system },
    mode: "boot" as const,
    from: world.current,
    running: world.running.generation,
    delete: [],
    services: Plan.emptyServices,
    serviceManager: world.settings.serviceManager,
    preconditions: Preconditions.of(world),
    revert: [],
  };
  if (newest !== undefined && newest.system === added.system) {
    return E.right({ ...base, to: newest.number, boot: null, steps: [], warnings: [] });
  }
  const number = GenerationNumber.unsafe((newest?.number ?? 0) + 1);
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
    const rendered = BootSteps.plan({ ...world, generations: [...world.generations, generation] }, { default: world.current, trial: "keep" });
    if (E.isLeft(rendered)) return rendered;
    if (rendered.right !== null) {
      warnings.push(...rendered.right.warnings);
      boot = rendered.right.summary;
      steps.push(...rendered.right.steps);
    }
  }
  return E.right({ ...base, to: number, boot, steps, warnings });
};

/**
 * Registering a built system directory as a new generation: number max+1 (never current+1, which
 * would overwrite a generation after a rollback, as Guix does), its link stamped with the creation
 * time, and the boot menu rewritten to offer it among the older entries. Adding never switches.
 */
import * as E from "fp-ts/lib/Either.js";
import * as BootConfig from "../boot/BootConfig.js";
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
  if (world.current !== null && world.bootConfig !== null && world.settings.bootloader !== "none") {
    const rendered = BootConfig.render({ ...world, generations: [...world.generations, generation] }, world.current);
    if (E.isLeft(rendered)) return E.left(PlanError.invalid(rendered.left.message));
    for (const s of rendered.right.skipped) warnings.push(`generation ${s.number} left out of the boot menu: ${s.reason}`);
    boot = rendered.right.summary;
    if (rendered.right.content !== world.bootConfig.content) steps.push({ _tag: "WriteFile", path: world.bootConfig.path, content: rendered.right.content });
  }
  return E.right({ ...base, to: number, boot, steps, warnings });
};

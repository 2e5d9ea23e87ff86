/**
 * `switchyard bless`, run by the booted system once it is healthy: the generation booted on trial
 * becomes the permanent default. First one atomic mark in the bootloader's files (systemd-boot:
 * the entry renamed without its counter; GRUB: the `blessed` flag in grubenv), which already makes
 * every later boot choose it; then the profile link, and the menu rewritten around it as the
 * default. `bless --bad` gives up at once: the trial's tries are spent, so the next boot falls back.
 * All steps come after the commit point: an interrupted bless is finished by `recover`, or by
 * running bless again.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as Bootloader from "./Bootloader.js";
import * as BootFiles from "./BootFiles.js";
import * as BootMenu from "../transition/BootMenu.js";
import * as BootSteps from "./BootSteps.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

export interface Outcome {
  /** Empty steps when there is nothing to do; `message` says why, or what was done. */
  readonly plan: Plan.Plan;
  readonly message: string;
}

export const plan = (world: World.World, verdict: Bootloader.Verdict): E.Either<PlanError.PlanError, Outcome> => {
  const loader = BootSteps.bootloaderOf(world.settings.bootloader);
  if (loader === null || world.bootConfig === null) return E.left(PlanError.invalid("there is no bootloader to bless a generation in (--bootloader none)"));
  const trial = BootSteps.trialOf(world);
  const booted = world.booted.generation;
  const make = (parts: Pick<Plan.Parts, "to" | "boot" | "steps" | "warnings">): Plan.Plan =>
    Plan.make(world, { operation: { _tag: "Bless", verdict }, mode: "boot", ...parts });
  const nothing = (message: string): E.Either<PlanError.PlanError, Outcome> =>
    E.right({ plan: make({ to: world.current, boot: null, steps: [], warnings: [] }), message });
  if (trial === null) return nothing(`no trial boot is pending; ${world.current === null ? "there is no boot default" : `generation ${world.current} is the boot default`}`);
  const observed = BootSteps.observedOf(world);
  const mark = loader.mark(observed, trial, verdict, world.settings);
  if (E.isLeft(mark)) return E.left(PlanError.failed(mark.left.message));
  const fallback = world.current === null ? "the default" : `generation ${world.current}`;
  if (verdict === "bad") {
    if (mark.right.length === 0) return nothing(`the trial of generation ${trial.target} has no tries left already; ${fallback} boots next`);
    const steps: ReadonlyArray<Step.Step> = [{ _tag: "Commit" }, ...BootSteps.stepsOf(mark.right)];
    return E.right({ plan: make({ to: world.current, boot: null, steps, warnings: [] }), message: `gave up generation ${trial.target}; ${fallback} boots next` });
  }
  if (booted !== trial.target && !trial.blessed) {
    return nothing(
      trial.triesLeft === 0
        ? `generation ${trial.target} failed to boot (no tries left), so ${fallback} booted instead; nothing to bless`
        : `generation ${trial.target} has not booted yet (${trial.triesLeft} ${trial.triesLeft === 1 ? "try" : "tries"} left); bless it once it runs`,
    );
  }
  const steps: Array<Step.Step> = [{ _tag: "Commit" }, ...BootSteps.stepsOf(mark.right)];
  const link = World.linkNameOf(world.settings, trial.target);
  if (world.profileTarget !== link) steps.push({ _tag: "ReplaceSymlink", path: world.settings.profile, target: link });
  const warnings: Array<string> = [];
  const menu = BootMenu.write(world, { default: trial.target, trial: null }, warnings, { observed: BootFiles.after(observed, mark.right) });
  if (E.isLeft(menu)) return menu;
  steps.push(...(menu.right?.steps ?? []));
  return E.right({
    plan: make({ to: trial.target, boot: menu.right?.summary ?? null, steps, warnings }),
    message: `blessed generation ${trial.target}: it is the boot default from now on`,
  });
};

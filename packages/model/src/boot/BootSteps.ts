/**
 * The boot menu as plan steps: pick the configured bootloader, build the `Menu` a transition asks
 * for, let the bootloader render it against what was observed of its files, and turn the file
 * operations into steps (they run after the plan's commit point, in the bootloader's order).
 * Transitions that do not touch the trial (add, delete) keep the one the files hold.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as Bootloader from "./Bootloader.js";
import * as BootFiles from "./BootFiles.js";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import * as Grub from "./grub/Grub.js";
import * as Menu from "./Menu.js";
import type * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import * as SystemdBoot from "./systemd-boot/SystemdBoot.js";
import * as World from "../world/World.js";

export interface Request {
  readonly default: GenerationNumber;
  /** A trial to arm, none (any trial is cancelled), or "keep" whatever trial the files hold. */
  readonly trial: Menu.Trial | null | "keep";
}

export interface Boot {
  readonly steps: ReadonlyArray<Step.Step>;
  readonly summary: Plan.BootSummary;
  readonly warnings: ReadonlyArray<string>;
}

export const bootloaderOf = (kind: World.BootloaderKind): Bootloader.Bootloader | null =>
  kind === "grub" ? Grub.grub : kind === "systemd-boot" ? SystemdBoot.systemdBoot : null;

/** The bootloader's files as observed; a world observed before they were (tests) has its config only. */
export const observedOf = (world: World.World): BootFiles.Observed => {
  if (world.bootFiles !== undefined) return world.bootFiles;
  const bc = world.bootConfig;
  return bc === null || bc.content === null ? BootFiles.empty : { files: { [bc.path]: bc.content } };
};

/** The trial the bootloader's files hold now, if any. */
export const trialOf = (world: World.World): Bootloader.ObservedTrial | null => {
  const loader = bootloaderOf(world.settings.bootloader);
  return loader === null || world.bootConfig === null ? null : loader.trialOf(observedOf(world), world.settings);
};

/** The trial a "keep" request keeps: the observed one, while its generation is still there and bootable. */
const kept = (world: World.World, defaultNumber: GenerationNumber): Menu.Trial | null => {
  const t = trialOf(world);
  if (t === null || t.target === defaultNumber) return null;
  const g = World.generation(world, t.target);
  return g === undefined || g.header._tag === "Invalid" ? null : { target: t.target, attempts: null };
};

/**
 * The steps that make the boot menu boot `request`, or null when there is no bootloader to write.
 * `observed` defaults to what the world saw; a plan that changes the files first passes their state after.
 */
export const plan = (world: World.World, request: Request, observed: BootFiles.Observed = observedOf(world)): E.Either<PlanError.PlanError, Boot | null> => {
  const loader = bootloaderOf(world.settings.bootloader);
  if (loader === null || world.bootConfig === null) return E.right(null);
  const trial = request.trial === "keep" ? kept(world, request.default) : request.trial;
  const menu = Menu.of(world, { default: request.default, trial });
  if (E.isLeft(menu)) return E.left(PlanError.invalid(menu.left.message));
  const ops = loader.render(menu.right, observed, world.settings);
  if (E.isLeft(ops)) return E.left(PlanError.invalid(ops.left.message));
  return E.right({ steps: stepsOf(ops.right), summary: summaryOf(menu.right), warnings: Menu.warnings(menu.right) });
};

export const summaryOf = (menu: Menu.Menu): Plan.BootSummary => ({
  default: menu.default,
  entries: menu.entries.map((e) => e.number),
  trial: menu.trial === null ? null : { generation: menu.trial.target, attempts: menu.trial.attempts },
  omitted: menu.omitted.length,
});

export const stepsOf = (ops: ReadonlyArray<BootFiles.FileOp>): ReadonlyArray<Step.Step> =>
  ops.map((op): Step.Step => {
    switch (op._tag) {
      case "Install":
        return { _tag: "CopyFile", source: op.source, path: op.path };
      case "Write":
        return { _tag: "WriteFile", path: op.path, content: op.content };
      case "Rename":
        return { _tag: "RenameFile", from: op.from, path: op.path };
      case "Remove":
        return { _tag: "RemoveFile", path: op.path };
    }
  });

/** The inverse of `stepsOf`: the file operation a boot step carries out (null for any other step). */
export const opOf = (step: Step.Step): BootFiles.FileOp | null => {
  switch (step._tag) {
    case "WriteFile":
      return { _tag: "Write", path: step.path, content: step.content };
    case "CopyFile":
      return { _tag: "Install", source: step.source, path: step.path };
    case "RenameFile":
      return { _tag: "Rename", from: step.from, path: step.path };
    case "RemoveFile":
      return { _tag: "Remove", path: step.path };
    default:
      return null;
  }
};

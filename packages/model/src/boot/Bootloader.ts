/**
 * The seam between the boot menu and a particular bootloader. Every bootloader renders the same
 * `Menu` (generations, default, trial, timeout, limit) into the files it boots from, as an ordered
 * list of file operations against what was observed of its files; the interpreter only carries
 * them out. GRUB (`grub/Grub.ts`) and systemd-boot (`systemd-boot/SystemdBoot.ts`) implement it.
 *
 * A trial boot lives in the bootloader's own files, where the loader itself counts the attempts
 * down (systemd-boot renames the entry, the GRUB script saves its environment block); `trialOf`
 * reads it back, and `mark` blesses it or gives up on it.
 */
import type * as E from "fp-ts/lib/Either.js";
import type * as BootFiles from "./BootFiles.js";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import type * as Menu from "./Menu.js";
import type { InRootPath } from "../paths/InRootPath.js";
import type * as Request from "../plan/Request.js";
import type * as World from "../world/World.js";

export type Kind = Exclude<World.BootloaderKind, "none">;

/** A trial as the bootloader's files describe it now. */
export interface ObservedTrial {
  readonly target: GenerationNumber;
  /** Boot attempts left; 0 means the next boot falls back to the default. */
  readonly triesLeft: number;
  /** Attempts already started, where the loader counts them (systemd-boot), else null. */
  readonly triesDone: number | null;
  /** Marked good, but the menu not yet rewritten around it (a bless that was interrupted). */
  readonly blessed: boolean;
}

export type Verdict = Request.Verdict;

export interface Bootloader {
  readonly kind: Kind;
  /** What the interpreter must observe of this bootloader's files. */
  readonly watches: (settings: World.Settings) => ReadonlyArray<BootFiles.Watch>;
  /** The file that stands for the whole config in messages and `bootConfig` (grub.cfg, loader.conf). */
  readonly configPath: (settings: World.Settings) => InRootPath;
  /** The operations that make the files boot `menu`, in the order that keeps every crash bootable. */
  readonly render: (menu: Menu.Menu, observed: BootFiles.Observed, settings: World.Settings) => E.Either<Menu.BootConfigError, ReadonlyArray<BootFiles.FileOp>>;
  readonly trialOf: (observed: BootFiles.Observed, settings: World.Settings) => ObservedTrial | null;
  /**
   * One atomic operation that makes the trial stick (good) or fall back at the next boot (bad),
   * before the menu is rewritten around the outcome; empty when the files already say so.
   */
  readonly mark: (
    observed: BootFiles.Observed,
    trial: ObservedTrial,
    verdict: Verdict,
    settings: World.Settings,
  ) => E.Either<Menu.BootConfigError, ReadonlyArray<BootFiles.FileOp>>;
}

/**
 * Where a trial boot stands, from the bootloader's files and the booted generation: armed and not
 * yet booted (pending), running on trial and waiting for `bless`, or over because its attempts ran
 * out and the machine booted the fallback (fell back: the trial generation failed to boot). With no
 * trial the default is blessed: it boots every time.
 */
import * as BootSteps from "./BootSteps.js";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import type * as World from "../world/World.js";

export type Status =
  | { readonly state: "blessed"; readonly generation: GenerationNumber | null }
  | { readonly state: "pending" | "booted"; readonly generation: GenerationNumber; readonly fallback: GenerationNumber | null; readonly triesLeft: number }
  | { readonly state: "fell-back"; readonly generation: GenerationNumber; readonly fallback: GenerationNumber | null }
  /** Marked good by an interrupted `bless`: it boots, the menu is rewritten by the next bless. */
  | { readonly state: "accepted"; readonly generation: GenerationNumber; readonly fallback: GenerationNumber | null };

/** Null when there is no bootloader to hold a trial. */
export const of = (world: World.World): Status | null => {
  if (BootSteps.bootloaderOf(world.settings.bootloader) === null || world.bootConfig === null) return null;
  const t = BootSteps.trialOf(world);
  if (t === null) return { state: "blessed", generation: world.current };
  const fallback = world.current;
  if (t.blessed) return { state: "accepted", generation: t.target, fallback };
  if (world.booted.generation === t.target) return { state: "booted", generation: t.target, fallback, triesLeft: t.triesLeft };
  if (t.triesLeft === 0) return { state: "fell-back", generation: t.target, fallback };
  return { state: "pending", generation: t.target, fallback, triesLeft: t.triesLeft };
};

const tries = (n: number): string => `${n} ${n === 1 ? "try" : "tries"} left`;

/** One line for people. */
export const describe = (s: Status): string => {
  const back = (f: GenerationNumber | null) => (f === null ? "the default" : `generation ${f}`);
  switch (s.state) {
    case "blessed":
      return s.generation === null ? "no trial boot pending" : `blessed: generation ${s.generation} is the boot default; no trial pending`;
    case "pending":
      return `pending: generation ${s.generation} boots next on trial (${tries(s.triesLeft)}); ${back(s.fallback)} is the fallback`;
    case "booted":
      return s.triesLeft === 0
        ? `booted on trial: generation ${s.generation} runs, no tries left; run 'switchyard bless' to keep it, or the next boot falls back to ${back(s.fallback)}`
        : `booted on trial: generation ${s.generation} runs (${tries(s.triesLeft)}); run 'switchyard bless' to keep it`;
    case "fell-back":
      return `fell back: generation ${s.generation} failed to boot (no tries left), so ${back(s.fallback)} booted instead`;
    case "accepted":
      return `blessed: generation ${s.generation} boots from now on; run 'switchyard bless' again to finish making it the default`;
  }
};

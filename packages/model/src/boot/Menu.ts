/**
 * The boot menu as data, the same for every bootloader: which generations it lists (each with its
 * label, kernel, initrd, parameters and creation time), which one is the default, which one is on
 * trial, and the timeout. A bootloader (see `Bootloader`) turns this into its own files.
 *
 * The menu is bounded (`boot.menuLimit`, see `Settings`): the default and the trial generation, then
 * the newest others up to the limit. A generation whose manifest cannot be read is left out and
 * reported rather than failing the whole menu: one broken old generation must never block booting
 * the new one (NixOS #23926). Past the limit nothing is looked at, not even whether it is broken.
 */
import * as E from "fp-ts/lib/Either.js";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import type { InRootPath } from "../paths/InRootPath.js";
import * as Manifest from "../world/Manifest.js";
import * as Stamp from "./Stamp.js";
import * as World from "../world/World.js";

/** Kernel parameter naming the system directory, so the booted system can find its own generation. */
export const SYSTEM_PARAM = "switchyard.system";

/** Attempts a trial may be given: the GRUB script counts them down one comparison at a time. */
export const MAX_ATTEMPTS = 9;

export interface Entry {
  readonly number: GenerationNumber;
  readonly label: string;
  /** `<label> (#N, YYYY-MM-DD HH:MM)`: the number and date tell apart generations that share a label. */
  readonly title: string;
  readonly system: InRootPath;
  readonly kernel: string;
  readonly initrd: string | null;
  /** The generation's kernel parameters, then `switchyard.system=<system>`. */
  readonly params: ReadonlyArray<string>;
  readonly createdMs: number;
  readonly utcOffsetMinutes: number;
}

/** A generation booted next on trial: the default stays the fallback until it is blessed. */
export interface Trial {
  readonly target: GenerationNumber;
  /** Boot attempts for a newly armed trial; null keeps the count the bootloader's files hold now. */
  readonly attempts: number | null;
}

export interface Skipped {
  readonly number: GenerationNumber;
  /** The manifest's error line (`file: field: message`). */
  readonly reason: string;
}

export interface Menu {
  readonly default: GenerationNumber;
  readonly trial: Trial | null;
  /** The default first, then every other listed generation newest first (the trial among them). */
  readonly entries: ReadonlyArray<Entry>;
  /** Seconds; -1 waits for a choice. */
  readonly timeout: number;
  readonly limit: number;
  /** Valid generations left out because of the limit, newest first. */
  readonly omitted: ReadonlyArray<GenerationNumber>;
  /** Generations left out because their manifest is invalid, newest first. */
  readonly skipped: ReadonlyArray<Skipped>;
}

export interface Request {
  readonly default: GenerationNumber;
  readonly trial: Trial | null;
}

export interface BootConfigError {
  readonly _tag: "BootConfigError";
  readonly message: string;
}

const fail = (message: string): E.Either<BootConfigError, never> => E.left({ _tag: "BootConfigError", message });

export const limitOf = (settings: World.Settings): number => settings.boot.menuLimit;
export const espOf = (settings: World.Settings): InRootPath => settings.boot.esp;

const entryOf = (g: World.Generation, header: Manifest.Header): Entry => ({
  number: g.number,
  label: header.label,
  title: `${header.label} (#${g.number}, ${Stamp.format(g.createdMs, g.utcOffsetMinutes)})`,
  system: g.system,
  kernel: header.boot.kernel,
  initrd: header.boot.initrd,
  params: [...header.boot.params, `${SYSTEM_PARAM}=${g.system}`],
  createdMs: g.createdMs,
  utcOffsetMinutes: g.utcOffsetMinutes,
});

/** A generation that can be booted, or why not. */
const bootable = (world: World.World, n: GenerationNumber, role: string): E.Either<BootConfigError, Entry> => {
  const g = World.generation(world, n);
  if (g === undefined) return fail(`generation ${n} does not exist, so it cannot be the ${role}`);
  if (g.header._tag === "Invalid") return fail(`generation ${n} cannot be the ${role}: ${Manifest.errorLine(g.header.error)}`);
  const unwritable = unwritablePath(g, g.header.header);
  if (unwritable !== null) return fail(`generation ${n} cannot be the ${role}: ${unwritable}`);
  return E.right(entryOf(g, g.header.header));
};

const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a generation's paths cannot be written into a boot menu, or null. A control character has no
 * way into a GRUB word or a loader entry line but as something else, and a menu entry booting a
 * different kernel or naming a different system directory is worse than none.
 */
const unwritablePath = (g: World.Generation, header: Manifest.Header): string | null => {
  // Asked of every generation of the profile: no array per call.
  const { kernel, initrd } = header.boot;
  const bad = HAS_CONTROL.test(g.system) ? (["system directory", g.system] as const) : HAS_CONTROL.test(kernel) ? (["kernel", kernel] as const) : initrd !== null && HAS_CONTROL.test(initrd) ? (["initrd", initrd] as const) : null;
  return bad === null ? null : `its ${bad[0]} ${JSON.stringify(bad[1])} contains a control character, which a boot menu cannot hold as it is; rename it`;
};

export const of = (world: World.World, request: Request): E.Either<BootConfigError, Menu> => {
  const timeout = world.settings.timeout;
  // A non-integer would be written verbatim and the loader would misread it; -1 means "wait forever".
  if (!Number.isSafeInteger(timeout) || timeout < -1) {
    return fail(`the boot menu timeout ${String(timeout)} is not a whole number of seconds (or -1 to wait for a choice); fix "timeout" in ${World.Paths.configFile}`);
  }
  const chosen = bootable(world, request.default, "boot default");
  if (E.isLeft(chosen)) return chosen;
  const trial = request.trial;
  if (trial !== null) {
    if (trial.target === request.default) return fail(`generation ${trial.target} is the boot default already; a trial boot needs another generation`);
    if (trial.attempts !== null && (!Number.isInteger(trial.attempts) || trial.attempts < 1 || trial.attempts > MAX_ATTEMPTS)) {
      return fail(`a trial boot takes 1 to ${MAX_ATTEMPTS} attempts, not ${trial.attempts}`);
    }
    const t = bootable(world, trial.target, "generation on trial");
    if (E.isLeft(t)) return t;
  }
  const limit = limitOf(world.settings);
  const kept = new Set<number>([request.default, ...(trial === null ? [] : [trial.target])]);
  let room = Math.max(0, limit - kept.size);
  const others: Array<Entry> = [];
  const omitted: Array<GenerationNumber> = [];
  const skipped: Array<Skipped> = [];
  // `world.generations` is ascending, so walking it backwards lists the newest first.
  for (let i = world.generations.length - 1; i >= 0; i--) {
    const g = world.generations[i] as World.Generation;
    if (g.number === request.default) continue;
    // Once the menu is full, an older generation is left out whatever its manifest: it is not looked
    // at (on 10,000 generations that is most of the menu's cost, and most of a plan's reads).
    if (room === 0 && !kept.has(g.number)) {
      omitted.push(g.number);
      continue;
    }
    if (g.header._tag === "Invalid") {
      skipped.push({ number: g.number, reason: Manifest.errorLine(g.header.error) });
      continue;
    }
    const unwritable = unwritablePath(g, g.header.header);
    if (unwritable !== null) {
      skipped.push({ number: g.number, reason: unwritable });
      continue;
    }
    if (kept.has(g.number)) others.push(entryOf(g, g.header.header));
    else if (room > 0) {
      others.push(entryOf(g, g.header.header));
      room--;
    } else omitted.push(g.number);
  }
  return E.right({ default: request.default, trial, entries: [chosen.right, ...others], timeout, limit, omitted, skipped });
};

/** The warnings a plan carries about what the menu leaves out. */
export const warnings = (menu: Menu): ReadonlyArray<string> => [
  ...menu.skipped.map((s) => `generation ${s.number} left out of the boot menu: ${s.reason}`),
  ...(menu.omitted.length === 0
    ? []
    : [`${menu.omitted.length} older generation${menu.omitted.length === 1 ? "" : "s"} left out of the boot menu (boot.menuLimit ${menu.limit}): ${range(menu.omitted)}`]),
];

/** `3, 7` for a few, `1..40` (or `among 1..40`) for many: a long list of numbers would drown the plan. */
const range = (numbers: ReadonlyArray<number>): string => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const first = sorted[0] as number;
  const last = sorted[sorted.length - 1] as number;
  if (sorted.length <= 3) return sorted.join(", ");
  return last - first + 1 === sorted.length ? `${first}..${last}` : `among ${first}..${last}`;
};

/**
 * What the machine looked like when a plan was computed: the input of every pure decision.
 * The interpreter observes it (reading links, manifests, the boot config, the service manager);
 * the model only reads it. Paths are in-root paths.
 */
import type { GenerationNumber } from "./GenerationNumber.js";
import type { InRootPath } from "../paths/InRootPath.js";
import type { Header, Manifest, ManifestError } from "./Manifest.js";
import type { Entry as RestartDebtEntry } from "../services/RestartDebt.js";
import type { Observed as BootFilesObserved } from "../boot/BootFiles.js";
import * as SettingsModule from "./Settings.js";
import type * as StateWorld from "../state/StateWorld.js";

export type ManifestResult =
  | { readonly _tag: "Valid"; readonly manifest: Manifest }
  | { readonly _tag: "Invalid"; readonly error: ManifestError };

export type HeaderResult =
  | { readonly _tag: "Valid"; readonly header: Header }
  | { readonly _tag: "Invalid"; readonly error: ManifestError };

/** The header of a full decoding result (for worlds built from whole manifests). */
export const headerOf = (m: ManifestResult): HeaderResult =>
  m._tag === "Valid" ? { _tag: "Valid", header: { label: m.manifest.label, boot: m.manifest.boot, activate: m.manifest.activate } } : m;

export interface Generation {
  readonly number: GenerationNumber;
  /** `…/profiles/system-N-link`. */
  readonly link: InRootPath;
  /** The system directory the link points to, exactly as the link holds it (absolute). */
  readonly system: InRootPath;
  /** The link's own mtime (lstat), milliseconds since the epoch. */
  readonly createdMs: number;
  /** Local time offset at `createdMs` (minutes east of UTC), so boot labels show local time. */
  readonly utcOffsetMinutes: number;
  /** Label, boot entry and activation script: all that the menu and listings read. */
  readonly header: HeaderResult;
  /**
   * The whole manifest, services included. Observers may decode it lazily (on first read): it is a
   * pure function of the file, and most generations are only ever listed.
   */
  readonly manifest: ManifestResult;
  /** Where the generation describes itself, when not in manifest.json: a NixOS bootspec or Guix parameters. */
  readonly format?: "nixos-bootspec" | "guix-parameters";
  /** The specialisations a NixOS bootspec lists. */
  readonly specialisations?: ReadonlyArray<string>;
}

export type BootloaderKind = SettingsModule.Bootloader;
export type ServiceManagerKind = SettingsModule.ServiceManagerKind;
/** The settings the world was observed with (see `Settings`); every plan made from it records them. */
export type Settings = SettingsModule.Settings;

/** A link that may be absent; `target` is what readlink returned. */
export interface LinkState {
  readonly target: string | null;
}

export interface SystemLink extends LinkState {
  /** The resolved system directory, when the link exists. */
  readonly system: InRootPath | null;
  /** The generation whose system directory it is, if any. */
  readonly generation: GenerationNumber | null;
  /** The manifest of that system directory, read even when no generation points there any more. */
  readonly manifest: ManifestResult | null;
}

/** `dataEpochs`, `snapshots`, `snapshotStore`: what is observed of services' data (see `StateWorld`). */
export interface World extends StateWorld.Observed {
  readonly settings: Settings;
  /** Ascending by number. */
  readonly generations: ReadonlyArray<Generation>;
  /** The profile link's raw target (`system-N-link`), or null when there is no profile yet. */
  readonly profileTarget: string | null;
  /** The generation the profile points to. */
  readonly current: GenerationNumber | null;
  /** `/run/current-system`. */
  readonly running: SystemLink;
  /** `/run/booted-system`. */
  readonly booted: SystemLink;
  /**
   * The boot config (null when the bootloader is `none`): its path, its content and a digest of it
   * (both null when the file is absent). The digest is computed where the file is read.
   */
  readonly bootConfig: { readonly path: InRootPath; readonly content: string | null; readonly digest: string | null } | null;
  /** Names the service manager reports up, sorted; null when there is no service manager to ask. */
  readonly liveServices: ReadonlyArray<string> | null;
  /** The revision each of those services runs (null when unknown), sorted by name; null likewise. */
  readonly serviceRevisions: ReadonlyArray<readonly [string, string | null]> | null;
  /** Identifies the current boot (restart debt from earlier boots is void). */
  readonly bootId: string;
  /** The restart-debt record: its text (null when absent) and its entries. */
  readonly restartDebt: { readonly text: string | null; readonly entries: ReadonlyArray<RestartDebtEntry> };
  /** Every file the bootloader owns, as observed (absent: only `bootConfig` was read). */
  readonly bootFiles?: BootFilesObserved;
  /** Generations `switchyard pin` protects from every delete, ascending. */
  readonly pins?: ReadonlyArray<GenerationNumber>;
}

export const generation = (world: Pick<World, "generations">, n: number): Generation | undefined => {
  // Generations are sorted: binary search keeps lookups cheap on profiles with 10,000 of them.
  let lo = 0;
  let hi = world.generations.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const g = world.generations[mid] as Generation;
    if (g.number === n) return g;
    if (g.number < n) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
};

/** The profile's link name (`system` → generation links `system-N-link`). */
export const profileName = (settings: Pick<Settings, "profile">): string => settings.profile.slice(settings.profile.lastIndexOf("/") + 1);

export const profileDir = (settings: Pick<Settings, "profile">): InRootPath => {
  const i = settings.profile.lastIndexOf("/");
  return (i <= 0 ? "/" : settings.profile.slice(0, i)) as InRootPath;
};

/** Well-known in-root paths. */
export const Paths = SettingsModule.Paths;

/** The link name of generation `n` in this profile, as the profile link holds it (`system-7-link`). */
export const linkNameOf = (settings: Pick<Settings, "profile">, n: number): string => `${profileName(settings)}-${n}-link`;

/** The in-root path of generation `n`'s link. */
export const linkPathOf = (settings: Pick<Settings, "profile">, n: number): InRootPath => {
  const dir = profileDir(settings);
  return `${dir === "/" ? "" : dir}/${linkNameOf(settings, n)}` as InRootPath;
};

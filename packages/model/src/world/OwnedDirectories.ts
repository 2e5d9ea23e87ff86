/**
 * The directories switchyard owns: the state directory (journal, lock, restart debt, layout
 * marker), the profile directory (generation links), the s6 scan directory (one directory per
 * service) and the boot config's directory, plus the running and booted system links in /run.
 * Each is created, cleaned and pruned by a rule of its own — recovery removes temp names from the
 * profile and boot directories, a stopped service's directory is removed from the scan directory —
 * so two of them sharing a directory would let one rule delete the other's files (a scan directory
 * that is the state directory, and a service named `profiles`, would take every generation link
 * with it). So they must be disjoint: none is, or lies inside, another. The one exception is the
 * layout's own: profiles live in the state directory's `profiles` subdirectory by default.
 */
import * as InRootPath from "../paths/InRootPath.js";

interface Owned {
  /** The setting that names it, as the config file spells it. */
  readonly field: string;
  readonly noun: string;
  readonly path: InRootPath.InRootPath;
}

/** The settings that place them (a part of `Settings`, spelled out: `Settings` is checked with this). */
export interface Owner {
  readonly profile: InRootPath.InRootPath;
  readonly stateDirectory: InRootPath.InRootPath;
  readonly scanDirectory: InRootPath.InRootPath;
  readonly bootConfig: InRootPath.InRootPath;
  /** With systemd-boot the boot directory is the ESP (its entries and loader.conf), not grub.cfg's. */
  readonly bootloader?: string;
  readonly boot?: { readonly esp: InRootPath.InRootPath };
}

const RUN_LINKS: ReadonlyArray<readonly [string, string]> = [
  ["the running-system link", "/run/current-system"],
  ["the booted-system link", "/run/booted-system"],
];

/** The state directory's subdirectory that profiles may live in. */
const profilesOf = (state: InRootPath.InRootPath) => InRootPath.join(state, "profiles");

const ownedBy = (s: Owner): ReadonlyArray<Owned> => [
  { field: "stateDirectory", noun: "the state directory", path: s.stateDirectory },
  s.bootloader === "systemd-boot" && s.boot !== undefined
    ? { field: "boot.esp", noun: "the ESP", path: s.boot.esp }
    : { field: "bootConfig", noun: "the boot directory", path: InRootPath.dirname(s.bootConfig) },
  { field: "profile", noun: "the profile directory", path: InRootPath.dirname(s.profile) },
  { field: "scanDirectory", noun: "the scan directory", path: s.scanDirectory },
  ...RUN_LINKS.map(([noun, path]) => ({ field: "", noun, path: path as InRootPath.InRootPath })),
];

/** How `a` stands to `b`, or null when they are disjoint. */
const relation = (a: InRootPath.InRootPath, b: InRootPath.InRootPath): string | null =>
  a === b ? "is" : InRootPath.isWithin(a, b) ? "lies inside" : InRootPath.isWithin(b, a) ? "contains" : null;

/**
 * The first overlap among the owned directories, as the error line naming the setting to change;
 * null when they are disjoint. Of two overlapping ones the later in the list is blamed (the
 * profile and the scan directory are the ones a config file can move).
 */
export const overlap = (s: Owner): string | null => {
  const owned = ownedBy(s);
  for (let j = 1; j < owned.length; j++) {
    for (let i = 0; i < j; i++) {
      const [a, b] = [owned[i] as Owned, owned[j] as Owned];
      if (a.field === "stateDirectory" && b.field === "profile" && InRootPath.isWithin(b.path, profilesOf(a.path))) continue;
      const how = relation(b.path, a.path);
      if (how === null) continue;
      const [blamed, other] = b.field === "" ? [a, b] : [b, a];
      const said = blamed === b ? how : how === "lies inside" ? "contains" : how === "contains" ? "lies inside" : how;
      return (
        `${blamed.field}: ${blamed.noun} ${blamed.path} ${said} ${other.noun} ${other.path}; the directories switchyard owns ` +
        `(state, profile, scan and boot) must not overlap: give it a directory of its own`
      );
    }
  }
  return null;
};

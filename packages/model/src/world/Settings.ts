/**
 * The settings a machine is observed, planned and changed with: where the profile, the state and
 * the boot config live, which bootloader and service manager, and every timeout. `Config` makes
 * them from the config file and the flags; every plan records them, and `apply --plan` runs with
 * the recorded ones and no others (the boot menu's ESP and limit among them: they decide its files). Each choice (bootloader, service manager) is defined here once.
 */
import * as t from "io-ts";
import { choicesOf } from "../internal/Choices.js";
import { InRootPathCodec } from "../paths/InRootPathCodec.js";
import type { InRootPath } from "../paths/InRootPath.js";
import * as OwnedDirectories from "./OwnedDirectories.js";

export const Bootloader = t.keyof({ grub: null, "systemd-boot": null, none: null }, "bootloader");
export type Bootloader = t.TypeOf<typeof Bootloader>;
export const bootloaders = choicesOf(Bootloader);

export const ServiceManagerKind = t.keyof({ none: null, s6: null }, "serviceManager");
export type ServiceManagerKind = t.TypeOf<typeof ServiceManagerKind>;
export const serviceManagerKinds = choicesOf(ServiceManagerKind);

/** Whose profile layout a machine has: `--layout` picks that system's profile when none is given. */
export const Layout = t.keyof({ switchyard: null, nix: null, guix: null }, "layout");
export type Layout = t.TypeOf<typeof Layout>;
export const layouts = choicesOf(Layout);

/** Where each system keeps its system profile. */
export const PROFILES: Readonly<Record<Layout, InRootPath>> = {
  switchyard: "/var/lib/switchyard/profiles/system" as InRootPath,
  nix: "/nix/var/nix/profiles/system" as InRootPath,
  guix: "/var/guix/profiles/system" as InRootPath,
};

/** A whole number in [min, max]; `is` and `decode` share one predicate so they cannot disagree. */
export const wholeNumber = (name: string, min: number, max: number, unit: string) => {
  const ok = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u) && u >= min && u <= max;
  return new t.Type<number, number, unknown>(name, ok, (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `expected whole ${unit} from ${min} to ${max}`)), (a) => a);
};

/** An in-root path that is a directory of its own, never the root itself. */
const OwnPath = new t.Type<InRootPath, string, unknown>(
  "InRootPath",
  (u): u is InRootPath => InRootPathCodec.is(u) && u !== "/",
  (u, c) => (u === "/" ? t.failure(u, c, "'/' cannot be used here; give a path of its own") : InRootPathCodec.validate(u, c)),
  (a) => a,
);

export const MAX_SECONDS = 86_400;
export const MAX_MENU_LIMIT = 100_000;

/** Where systemd-boot's ESP is mounted, and how many generations a boot menu lists. */
export const BootSettings = t.readonly(
  t.type(
    {
      /** The EFI system partition (or XBOOTLDR) as mounted inside the root. */
      esp: OwnPath,
      /** At most this many generations in the boot menu: the default (and a trial) plus the newest others. */
      menuLimit: wholeNumber("menu limit", 1, MAX_MENU_LIMIT, "generations"),
    },
    "BootSettings",
  ),
);
export type BootSettings = t.TypeOf<typeof BootSettings>;

const SettingsFields = t.readonly(
  t.type(
    {
      /** `…/profiles/system`: the generation links live next to it. */
      profile: OwnPath,
      /** The journal, the lock and the restart-debt record. */
      stateDirectory: OwnPath,
      bootloader: Bootloader,
      /** The GRUB config the bootloader `grub` regenerates. */
      bootConfig: OwnPath,
      /** Boot menu timeout in seconds, kept across every regeneration. */
      timeout: wholeNumber("seconds", 0, MAX_SECONDS, "seconds"),
      boot: BootSettings,
      serviceManager: ServiceManagerKind,
      /** The s6 scan directory switchyard owns. */
      scanDirectory: OwnPath,
      /** How long a service may take to come up or go down, and a stop or reload command to run. */
      serviceTimeoutMs: wholeNumber("milliseconds", 1000, MAX_SECONDS * 1000, "milliseconds"),
      /** After "up", how long a service must stay up (same pid) to count as started. */
      settleMs: wholeNumber("milliseconds", 0, 60_000, "milliseconds"),
      /** How long an activation script may run. */
      activationTimeoutMs: wholeNumber("milliseconds", 1000, MAX_SECONDS * 1000, "milliseconds"),
    },
    "Settings",
  ),
);

/** The fields, and the directories switchyard owns disjoint (`OwnedDirectories`): a plan whose settings overlap is refused too. */
export const Settings = new t.Type<t.TypeOf<typeof SettingsFields>, t.OutputOf<typeof SettingsFields>, unknown>(
  "Settings",
  (u): u is t.TypeOf<typeof SettingsFields> => SettingsFields.is(u) && OwnedDirectories.overlap(u) === null,
  (u, c) => {
    const fields = SettingsFields.validate(u, c);
    if (fields._tag === "Left") return fields;
    const overlap = OwnedDirectories.overlap(fields.right);
    return overlap === null ? fields : t.failure(u, c, overlap);
  },
  SettingsFields.encode,
);
export type Settings = t.TypeOf<typeof Settings>;

/** Well-known in-root paths. */
export const Paths = {
  currentSystem: "/run/current-system" as InRootPath,
  bootedSystem: "/run/booted-system" as InRootPath,
  stateDir: "/var/lib/switchyard" as InRootPath,
  configFile: "/etc/switchyard/config.json" as InRootPath,
  defaultProfile: "/var/lib/switchyard/profiles/system" as InRootPath,
  grubConfig: "/boot/grub/grub.cfg" as InRootPath,
  esp: "/boot" as InRootPath,
  scanDirectory: "/run/switchyard/services" as InRootPath,
} as const;

/** The settings with no config file and no flags. */
export const defaults: Settings = {
  profile: Paths.defaultProfile,
  stateDirectory: Paths.stateDir,
  bootloader: "grub",
  bootConfig: Paths.grubConfig,
  timeout: 5,
  boot: { esp: Paths.esp, menuLimit: 100 },
  serviceManager: "none",
  scanDirectory: Paths.scanDirectory,
  serviceTimeoutMs: 5000,
  settleMs: 300,
  activationTimeoutMs: 300_000,
};

/**
 * `/etc/switchyard/config.json`: the machine's own settings, kept across every regeneration of the
 * boot config (Guix resets the timeout to 5 on every switch; we do not). Command-line flags win
 * over the file, the file over the defaults; the result is the one `Settings` everything runs with.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as t from "io-ts";
import * as InRootPath from "../paths/InRootPath.js";
import { firstError } from "../internal/Report.js";
import { strictPartial } from "../internal/Strict.js";
import * as OwnedDirectories from "./OwnedDirectories.js";
import * as Settings from "./Settings.js";

/** `boot`: where systemd-boot's ESP is mounted, and how many generations a boot menu lists. */
const BootSection = strictPartial({}, { esp: t.string, menuLimit: Settings.wholeNumber("menu limit", 1, Settings.MAX_MENU_LIMIT, "generations") }, "boot");

export const ConfigFile = strictPartial(
  {},
  {
    profile: t.string,
    bootloader: Settings.Bootloader,
    timeout: Settings.wholeNumber("seconds", 0, Settings.MAX_SECONDS, "seconds"),
    serviceManager: Settings.ServiceManagerKind,
    scanDirectory: t.string,
    serviceTimeout: Settings.wholeNumber("seconds", 1, Settings.MAX_SECONDS, "seconds"),
    serviceSettleMs: Settings.wholeNumber("milliseconds", 0, 60_000, "milliseconds"),
    boot: BootSection,
    layout: Settings.Layout,
  },
  "config",
);
export type ConfigFile = t.TypeOf<typeof ConfigFile>;

/** What the command line gives; every field is optional and wins over the file. */
export interface Overrides {
  readonly profile?: string | undefined;
  readonly bootloader?: Settings.Bootloader | undefined;
  readonly serviceManager?: Settings.ServiceManagerKind | undefined;
  /** The ESP's mount point (systemd-boot). */
  readonly esp?: string | undefined;
  /** Picks that system's profile when no profile is given. */
  readonly layout?: Settings.Layout | undefined;
  readonly scanDirectory?: string | undefined;
  /** Whole seconds. */
  readonly serviceTimeout?: number | undefined;
  readonly serviceSettleMs?: number | undefined;
  readonly activationTimeoutMs?: number | undefined;
}

/** How switchyard drives a supervisor: the part of the settings the s6 service manager reads. */
export type ServiceSettings = Pick<Settings.Settings, "scanDirectory" | "serviceTimeoutMs" | "settleMs">;

export const fromText = (text: string, file: string): E.Either<string, ConfigFile> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return E.left(`${file}: not valid JSON; fix or remove it`);
  }
  return pipe(
    ConfigFile.decode(json),
    E.mapLeft((errors) => {
      const { field, message } = firstError(errors);
      return `${file}: ${field}: ${message}`;
    }),
  );
};

const ownPath = (field: string, noun: string, text: string, example: string): E.Either<string, InRootPath.InRootPath> => {
  const p = InRootPath.fromAbsolute(text);
  if (E.isLeft(p)) return E.left(`${field}: ${p.left}; give an absolute path inside the root`);
  if (p.right === "/") return E.left(`${field}: '/' cannot be ${noun}; give a path of its own such as ${example}`);
  return E.right(p.right);
};

export const settings = (file: ConfigFile, overrides: Overrides): E.Either<string, Settings.Settings> => {
  const d = Settings.defaults;
  const layout = overrides.layout ?? file.layout;
  const profileText = overrides.profile ?? file.profile ?? (layout === undefined ? d.profile : Settings.PROFILES[layout]);
  const profile = ownPath("profile", "a profile", profileText, d.profile);
  if (E.isLeft(profile)) return profile;
  const esp = ownPath("esp", "the ESP", overrides.esp ?? file.boot?.esp ?? d.boot.esp, "/boot or /efi");
  if (E.isLeft(esp)) return esp;
  const scan = ownPath("scanDirectory", "a scan directory", overrides.scanDirectory ?? file.scanDirectory ?? d.scanDirectory, d.scanDirectory);
  if (E.isLeft(scan)) return scan;
  const chosen: Settings.Settings = {
    ...d,
    profile: profile.right,
    bootloader: overrides.bootloader ?? file.bootloader ?? d.bootloader,
    timeout: file.timeout ?? d.timeout,
    serviceManager: overrides.serviceManager ?? file.serviceManager ?? d.serviceManager,
    scanDirectory: scan.right,
    serviceTimeoutMs: (overrides.serviceTimeout ?? file.serviceTimeout ?? d.serviceTimeoutMs / 1000) * 1000,
    settleMs: overrides.serviceSettleMs ?? file.serviceSettleMs ?? d.settleMs,
    activationTimeoutMs: overrides.activationTimeoutMs ?? d.activationTimeoutMs,
    boot: { esp: esp.right, menuLimit: file.boot?.menuLimit ?? d.boot.menuLimit },
  };
  const overlap = OwnedDirectories.overlap(chosen);
  return overlap === null ? E.right(chosen) : E.left(overlap);
};

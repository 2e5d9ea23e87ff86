/**
 * `/etc/switchyard/config.json`: the machine's own settings, kept across every regeneration of the
 * boot config (Guix resets the timeout to 5 on every switch; we do not). Command-line flags win
 * over the file, the file over the defaults.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as t from "io-ts";
import * as InRootPath from "../paths/InRootPath.js";
import * as Menu from "../boot/Menu.js";
import { firstError } from "../internal/Report.js";
import { strictPartial } from "../internal/Strict.js";
import type * as World from "./World.js";

const Seconds = new t.Type<number, number, unknown>(
  "seconds",
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 0,
  (u, c) => (typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= 86400 ? t.success(u) : t.failure(u, c, "expected whole seconds from 0 to 86400")),
  (a) => a,
);

export const Bootloader = t.union([t.literal("grub"), t.literal("systemd-boot"), t.literal("none")], "bootloader");
export const ServiceManagerKind = t.union([t.literal("none"), t.literal("s6")], "serviceManager");
export const Layout = t.union([t.literal("switchyard"), t.literal("nix"), t.literal("guix")], "layout");
export type Layout = t.TypeOf<typeof Layout>;

/** Where each system keeps its system profile: `--layout` picks one when no profile is given. */
export const PROFILES: Readonly<Record<Layout, string>> = {
  switchyard: "/var/lib/switchyard/profiles/system",
  nix: "/nix/var/nix/profiles/system",
  guix: "/var/guix/profiles/system",
};

const SettleMs = new t.Type<number, number, unknown>(
  "milliseconds",
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= 60_000,
  (u, c) => (typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= 60_000 ? t.success(u) : t.failure(u, c, "expected whole milliseconds from 0 to 60000")),
  (a) => a,
);

const PositiveSeconds = new t.Type<number, number, unknown>(
  "seconds",
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 86400,
  (u, c) => (typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 86400 ? t.success(u) : t.failure(u, c, "expected whole seconds from 1 to 86400")),
  (a) => a,
);

const MenuLimit = new t.Type<number, number, unknown>(
  "menu limit",
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 1,
  (u, c) => (typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 100_000 ? t.success(u) : t.failure(u, c, "expected a whole number of generations from 1 to 100000")),
  (a) => a,
);

/** `boot`: where systemd-boot's ESP is mounted, and how many generations a boot menu lists. */
const BootSection = strictPartial({}, { esp: t.string, menuLimit: MenuLimit }, "boot");

export const ConfigFile = strictPartial(
  {},
  {
    profile: t.string,
    bootloader: Bootloader,
    timeout: Seconds,
    serviceManager: ServiceManagerKind,
    scanDirectory: t.string,
    serviceTimeout: PositiveSeconds,
    serviceSettleMs: SettleMs,
    boot: BootSection,
    layout: Layout,
  },
  "config",
);
export type ConfigFile = t.TypeOf<typeof ConfigFile>;

export interface Overrides {
  readonly profile?: string | undefined;
  readonly bootloader?: World.BootloaderKind | undefined;
  readonly serviceManager?: World.ServiceManagerKind | undefined;
  readonly esp?: string | undefined;
  readonly layout?: Layout | undefined;
}

export const DEFAULT_TIMEOUT = 5;

/** How switchyard drives a supervisor: only the live s6 service manager reads these. */
export interface ServiceSettings {
  /** The s6 scan directory switchyard owns (in-root). */
  readonly scanDirectory: InRootPath.InRootPath;
  /** How long a service may take to come up or go down, and a stop or reload command to run. */
  readonly serviceTimeoutMs: number;
  /** After "up", how long a service must stay up (same pid) to count as started. */
  readonly settleMs: number;
}

export interface ServiceOverrides {
  readonly scanDirectory?: string | undefined;
  /** Whole seconds. */
  readonly serviceTimeout?: number | undefined;
  readonly serviceSettleMs?: number | undefined;
}

export const DEFAULT_SCAN_DIRECTORY = "/run/switchyard/services";
export const DEFAULT_SERVICE_TIMEOUT = 5;
export const DEFAULT_SETTLE_MS = 300;

export const serviceSettings = (file: ConfigFile, overrides: ServiceOverrides): E.Either<string, ServiceSettings> => {
  const text = overrides.scanDirectory ?? file.scanDirectory ?? DEFAULT_SCAN_DIRECTORY;
  const scan = InRootPath.fromAbsolute(text);
  if (E.isLeft(scan)) return E.left(`scanDirectory: ${scan.left}; give an absolute path inside the root`);
  if (scan.right === "/") return E.left("scanDirectory: '/' cannot be a scan directory; give a directory of its own such as /run/switchyard/services");
  return E.right({
    scanDirectory: scan.right,
    serviceTimeoutMs: (overrides.serviceTimeout ?? file.serviceTimeout ?? DEFAULT_SERVICE_TIMEOUT) * 1000,
    settleMs: overrides.serviceSettleMs ?? file.serviceSettleMs ?? DEFAULT_SETTLE_MS,
  });
};

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

export const settings = (file: ConfigFile, overrides: Overrides, defaultProfile: InRootPath.InRootPath): E.Either<string, World.Settings> => {
  const layout = overrides.layout ?? file.layout;
  const profileText = overrides.profile ?? file.profile ?? (layout === undefined ? undefined : PROFILES[layout]);
  const profile = profileText === undefined ? E.right(defaultProfile) : InRootPath.fromAbsolute(profileText);
  if (E.isLeft(profile)) return E.left(`profile: ${profile.left}; give an absolute path inside the root`);
  if (profile.right === "/") return E.left("profile: '/' cannot be a profile; give a path such as /var/lib/switchyard/profiles/system");
  const espText = overrides.esp ?? file.boot?.esp ?? Menu.DEFAULT_ESP;
  const esp = InRootPath.fromAbsolute(espText);
  if (E.isLeft(esp)) return E.left(`esp: ${esp.left}; give the EFI system partition's mount point inside the root, such as /boot or /efi`);
  return E.right({
    profile: profile.right,
    bootloader: overrides.bootloader ?? file.bootloader ?? "grub",
    timeout: file.timeout ?? DEFAULT_TIMEOUT,
    serviceManager: overrides.serviceManager ?? file.serviceManager ?? "none",
    boot: { esp: esp.right, menuLimit: file.boot?.menuLimit ?? Menu.DEFAULT_LIMIT },
  });
};

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
import * as Retention from "../state/Retention.js";
import * as SnapshotMeta from "../state/SnapshotMeta.js";
import * as Settings from "./Settings.js";

/** `boot`: where systemd-boot's ESP is mounted, and how many generations a boot menu lists. */
const BootSection = strictPartial({}, { esp: t.string, menuLimit: Settings.wholeNumber("menu limit", 1, Settings.MAX_MENU_LIMIT, "generations") }, "boot");

const AGE_RECIPIENT = /^age1[0-9a-z]{58}$/;
const AgeRecipient = new t.Type<string, string, unknown>(
  "age recipient",
  (u): u is string => typeof u === "string" && AGE_RECIPIENT.test(u),
  (u, c) =>
    typeof u === "string" && AGE_RECIPIENT.test(u) ? t.success(u) : t.failure(u, c, "expected an age public key (age1… as age-keygen prints it)"),
  (a) => a,
);

/**
 * `snapshots`: whom state snapshots are encrypted to (none: stored in clear), the identity file that
 * opens them, how many to keep per service and for how long, and how archives are compressed.
 */
const SnapshotsSection = strictPartial(
  {},
  {
    recipients: t.array(AgeRecipient),
    identity: t.string,
    keep: strictPartial({}, { count: Settings.wholeNumber("count", 1, 10_000, "snapshots"), maxAgeDays: Settings.wholeNumber("days", 1, 36_500, "days") }, "keep"),
    compression: SnapshotMeta.Compression,
  },
  "snapshots",
);

export interface SnapshotSettings {
  readonly recipients: ReadonlyArray<string>;
  /** In-root path of the age identity file, or null. */
  readonly identity: InRootPath.InRootPath | null;
  readonly keep: Retention.Keep;
  readonly compression: SnapshotMeta.Compression;
}

/** The snapshot settings of a config file, defaults filled in. */
export const snapshotSettings = (file: ConfigFile): E.Either<string, SnapshotSettings> => {
  const s = file.snapshots ?? {};
  let identity: InRootPath.InRootPath | null = null;
  if (s.identity !== undefined) {
    const p = ownPath("snapshots.identity", "an identity file", s.identity, "/etc/switchyard/age-identity.txt");
    if (E.isLeft(p)) return p;
    identity = p.right;
  }
  return E.right({
    recipients: s.recipients ?? [],
    identity,
    keep: { count: s.keep?.count ?? Retention.defaults.count, maxAgeDays: s.keep?.maxAgeDays ?? Retention.defaults.maxAgeDays },
    compression: s.compression ?? "zstd",
  });
};

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
    snapshots: SnapshotsSection,
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

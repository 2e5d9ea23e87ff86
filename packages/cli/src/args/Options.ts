/**
 * Every option, in one table: its name and short alias, the kind of value it takes (with the
 * allowed range or choices), its default, one line of help and the commands that accept it. The
 * parser checks each value against this table, so a command only ever reads well-formed values.
 * The defaults the model applies are restated for the help (a test holds them equal): importing
 * the model here would load it for every `--help`.
 */
import * as Choices from "./Choices.js";
import type { Name } from "./Commands.js";

export type Kind =
  | { readonly _tag: "Flag" }
  /** A path or a name; `output` files must have an existing parent directory (none is created). */
  | { readonly _tag: "Text"; readonly metavar: string; readonly output?: boolean }
  | { readonly _tag: "Whole"; readonly metavar: string; readonly unit: string; readonly min: number; readonly max: number }
  | { readonly _tag: "Choice"; readonly choices: ReadonlyArray<string> };

export interface Spec {
  readonly name: string;
  readonly short: string | null;
  readonly kind: Kind;
  /** As the help shows it; null when there is none. */
  readonly default: string | null;
  /** The key of /etc/switchyard/config.json that sets it when the option is not given. */
  readonly config?: string;
  readonly help: string;
  /** The commands that accept it; "every" for the options every command takes. */
  readonly commands: ReadonlyArray<Name> | "every";
}

export const ACTIVATION_TIMEOUT_SECONDS = 300;
/** The most boot attempts a trial gets (the model's `Menu.MAX_ATTEMPTS`; a test holds them equal). */
export const MAX_ATTEMPTS = 9;
const DAY = 86_400;

const READ_MACHINE: ReadonlyArray<Name> = ["list", "describe", "diff", "add", "plan", "apply", "check", "restart", "recover", "status", "bless", "pin", "unpin"];
// The boot menu's own settings: every command that reads or writes the bootloader's files.
const READ_BOOT: ReadonlyArray<Name> = ["list", "describe", "diff", "add", "plan", "apply", "check", "restart", "recover", "status", "bless"];
const SEE_SERVICES: ReadonlyArray<Name> = ["plan", "apply", "check", "restart", "recover", "status"];
// `plan` records them in the plan, so `apply --plan` runs with what was planned.
const RUN_STEPS: ReadonlyArray<Name> = ["plan", "apply", "recover"];
const TAKE_LOCK: ReadonlyArray<Name> = ["add", "apply", "choose", "restart", "recover", "bless", "pin", "unpin", "confirm", "migrations", "snapshot"];

const flag = { _tag: "Flag" } as const;
const text = (metavar: string, output = false): Kind => ({ _tag: "Text", metavar, output });
const seconds = (min: number, max: number): Kind => ({ _tag: "Whole", metavar: "S", unit: "seconds", min, max });
const choice = (choices: ReadonlyArray<string>): Kind => ({ _tag: "Choice", choices });

export const OPTIONS: ReadonlyArray<Spec> = [
  { name: "root", short: null, kind: text("DIR"), default: "/", help: "the managed root; every path of the layout is inside it", commands: "every" },
  { name: "profile", short: null, kind: text("PATH"), default: "/var/lib/switchyard/profiles/system", config: "profile", help: "the system profile", commands: [...READ_MACHINE, "completion"] },
  {
    name: "layout",
    short: null,
    kind: choice(Choices.layout),
    default: null,
    config: "layout",
    help: "use that system's profile when --profile is not given (nix: /nix/var/nix/profiles/system, guix: /var/guix/profiles/system)",
    commands: READ_MACHINE,
  },
  {
    name: "bootloader",
    short: null,
    kind: choice(Choices.bootloader),
    default: "grub",
    config: "bootloader",
    help: "write /boot/grub/grub.cfg, or Boot Loader Specification entries and loader.conf on the ESP, or nothing",
    commands: READ_BOOT,
  },
  { name: "esp", short: null, kind: text("DIR"), default: "/boot", config: "boot.esp", help: "systemd-boot's EFI system partition, as mounted inside the root", commands: READ_BOOT },
  { name: "service-manager", short: null, kind: choice(Choices.serviceManager), default: "none", config: "serviceManager", help: "how services are observed and driven", commands: [...SEE_SERVICES, "supervisor", "snapshot"] },
  { name: "scan-directory", short: null, kind: text("DIR"), default: "/run/switchyard/services", config: "scanDirectory", help: "the s6 scan directory switchyard owns", commands: [...SEE_SERVICES, "supervisor", "snapshot"] },
  { name: "service-timeout", short: null, kind: seconds(1, DAY), default: "5", config: "serviceTimeout", help: "how long a service may take to come up or go down", commands: [...RUN_STEPS, "restart", "supervisor", "snapshot"] },
  {
    name: "service-settle-ms",
    short: null,
    kind: { _tag: "Whole", metavar: "MS", unit: "milliseconds", min: 0, max: 60_000 },
    default: "300",
    config: "serviceSettleMs",
    help: "how long a started service must stay up to count as started",
    commands: [...RUN_STEPS, "restart", "snapshot"],
  },
  { name: "services", short: null, kind: choice(Choices.services), default: "live", help: "live: restart and reload rules; conservative: never stop a service that stays", commands: ["plan", "apply", "check"] },
  {
    name: "state",
    short: null,
    kind: choice(Choices.state),
    default: "auto",
    help: "auto: each service's restore rule; keep: keep the data on disk; restore: restore the newest snapshot the target can read",
    commands: ["plan", "apply", "check"],
  },
  { name: "stepped", short: null, kind: flag, default: null, help: "switch through the generations that migrate services' data, one committed transition each", commands: ["apply"] },
  {
    name: "mode",
    short: null,
    kind: choice(Choices.mode),
    default: "switch",
    help: "switch: now and at boot; boot: at the next boot only; test: now only; try: boot it next on trial, falling back unless 'bless' runs on it",
    commands: ["plan", "apply", "check"],
  },
  {
    name: "try",
    short: null,
    kind: { _tag: "Whole", metavar: "N", unit: "boot attempts", min: 1, max: MAX_ATTEMPTS },
    default: null,
    help: "a trial of N boot attempts (1 when only --mode try is given); implies --mode try",
    commands: ["plan", "apply", "check"],
  },
  {
    name: "confirm-within",
    short: null,
    kind: seconds(1, DAY),
    default: null,
    help: "leave the switch provisional: it reverts by itself unless 'switchyard confirm' runs within S seconds",
    commands: ["apply"],
  },
  { name: "bad", short: null, kind: flag, default: null, help: "give up on the trial: its tries are spent, so the next boot falls back", commands: ["bless"] },
  { name: "activation-timeout", short: null, kind: seconds(1, DAY), default: String(ACTIVATION_TIMEOUT_SECONDS), help: "how long an activation script may run", commands: RUN_STEPS },
  { name: "wait-lock", short: null, kind: seconds(0, DAY), default: "0", help: "wait this long for another apply to release the lock", commands: TAKE_LOCK },
  {
    name: "jobs",
    short: "j",
    kind: { _tag: "Whole", metavar: "N", unit: "migrations", min: 1, max: 1024 },
    default: null,
    help: "run at most N migrations at once (default: the number of CPUs)",
    commands: ["apply", "recover", "migrations"],
  },
  { name: "out", short: null, kind: text("FILE", true), default: null, help: "also save the plan to FILE (its directory must exist)", commands: ["plan"] },
  { name: "plan", short: null, kind: text("FILE"), default: null, help: "carry out the plan saved in FILE", commands: ["apply"] },
  { name: "steps", short: null, kind: flag, default: null, help: "also list every step and revert step, numbered", commands: ["plan"] },
  { name: "long", short: "l", kind: flag, default: null, help: "also each generation's kernel, parameters and number of services", commands: ["list"] },
  { name: "json", short: null, kind: flag, default: null, help: "one JSON document on standard output", commands: ["list", "describe", "diff", "plan", "check", "choose", "choices", "recover", "status", "supervisor", "confirm", "migrations", "snapshot"] },
  { name: "identity", short: null, kind: text("FILE"), default: null, config: "snapshots.identity", help: "the age identity file that decrypts snapshots", commands: ["snapshot", "apply", "recover"] },
  { name: "yes", short: "y", kind: flag, default: null, help: "do not ask for confirmation (needed when not on a terminal)", commands: ["apply", "restart", "snapshot"] },
  { name: "debt", short: null, kind: flag, default: null, help: "every service left on old code (restart debt)", commands: ["restart"] },
  { name: "debug", short: null, kind: flag, default: null, help: "internal details (stack traces) of internal errors", commands: "every" },
  { name: "help", short: "h", kind: flag, default: null, help: "this command's usage, options and examples", commands: "every" },
  { name: "version", short: "V", kind: flag, default: null, help: "the version of switchyard", commands: "every" },
];

export const byName = (name: string): Spec | undefined => OPTIONS.find((o) => o.name === name);
export const byShort = (short: string): Spec | undefined => OPTIONS.find((o) => o.short === short);
export const accepts = (command: Name, spec: Spec): boolean => spec.commands === "every" || spec.commands.includes(command);
export const of = (command: Name): ReadonlyArray<Spec> => OPTIONS.filter((o) => accepts(command, o));

/** What the option takes, for messages and the help: "whole seconds from 1 to 86400", "one of grub, none". */
export const describeValue = (kind: Kind): string => {
  switch (kind._tag) {
    case "Flag":
      return "no value";
    case "Text":
      return kind.metavar;
    case "Whole":
      return `whole ${kind.unit} from ${kind.min} to ${kind.max}`;
    case "Choice":
      return `one of ${kind.choices.join(", ")}`;
  }
};

type Values = { readonly options: ReadonlyMap<string, string | true> };

/** A whole-number option the parser has checked, or undefined when it was not given. */
export const whole = (args: Values, name: string): number | undefined => {
  const v = args.options.get(name);
  return typeof v === "string" ? Number(v) : undefined;
};

export const waitLockSeconds = (args: Values): number => whole(args, "wait-lock") ?? 0;

/**
 * What every command needs before it reads the machine: the root, the settings (flags over
 * config file over defaults), how services are driven, and the layers of live ports. The service
 * manager's layer is built only once the settings are known, because the config file may choose it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Config, World } from "@switchyard/model";
import {
  FileSystem,
  NodeClockLive,
  NodeFileSystemLive,
  NodeProcessRunnerLive,
  NoServiceManagerLive,
  ObserveError,
  Root,
  S6ServiceManager,
} from "@switchyard/interpreter";
import { Effect, Layer } from "effect";
import * as Args from "./args/Args.js";

export interface CommandContext {
  readonly root: Root.Root;
  readonly settings: World.Settings;
  /** The supervisor's scan directory, service timeout and settle time. */
  readonly services: Config.ServiceSettings;
  readonly args: Args.Parsed;
}

export const rootOf = (args: Args.Parsed): Root.Root => Root.make(path.resolve(Args.option(args, "root") ?? "/"));

/** A root that is not a directory is a usage error, not a failure to read the machine. */
export const checkRoot = (root: Root.Root): void => {
  const dir = root.prefix === "" ? "/" : root.prefix;
  let isDirectory = false;
  try {
    isDirectory = fs.statSync(dir).isDirectory();
  } catch {
    throw new Args.UsageError(`--root ${dir}: no such directory`);
  }
  if (!isDirectory) throw new Args.UsageError(`--root ${dir}: not a directory`);
};

/** The live ports every command has: file system, clock, processes. */
export const baseLayer = () => Layer.mergeAll(NodeFileSystemLive, NodeClockLive, NodeProcessRunnerLive);

/** The service manager's live layer; s6 drives the supervisor through the file system and process ports. */
export const serviceLayer = (root: Root.Root, kind: World.ServiceManagerKind, services: Config.ServiceSettings) =>
  kind === "s6" ? S6ServiceManager.layer({ root, settings: services }) : NoServiceManagerLive;

const wholeNumber = (args: Args.Parsed, name: string, unit: string): number | undefined => {
  const given = Args.option(args, name);
  if (given === undefined) return undefined;
  if (!/^[0-9]+$/.test(given)) throw new Args.UsageError(`--${name} takes whole ${unit}, not '${given}'`);
  return Number(given);
};

/** Read `/etc/switchyard/config.json` (if any) and apply the flags over it. */
export const settings = (root: Root.Root, args: Args.Parsed) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = Root.host(root, World.Paths.configFile);
    const bytes = yield* fs.readFile(file).pipe(
      Effect.map((b): Uint8Array | null => b),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
      Effect.mapError((e) => new ObserveError({ reason: "Io", message: `cannot read ${file}: ${e.message}` })),
    );
    const config = bytes === null ? { _tag: "Right" as const, right: {} } : Config.fromText(new TextDecoder().decode(bytes), file);
    if (config._tag === "Left") return yield* new ObserveError({ reason: "Config", message: config.left });
    const overrides: Config.Overrides = {
      profile: Args.option(args, "profile"),
      bootloader: Args.oneOf(args, "bootloader", ["grub", "systemd-boot", "none"] as const),
      esp: Args.option(args, "esp"),
      layout: Args.oneOf(args, "layout", ["switchyard", "nix", "guix"] as const),
      serviceManager: Args.oneOf(args, "service-manager", ["none", "s6"] as const),
    };
    const s = Config.settings(config.right, overrides, World.Paths.defaultProfile);
    if (s._tag === "Left") return yield* new ObserveError({ reason: "Config", message: s.left });
    const timeout = wholeNumber(args, "service-timeout", "seconds");
    if (timeout !== undefined && (timeout < 1 || timeout > 86400)) throw new Args.UsageError("--service-timeout takes whole seconds from 1 to 86400");
    const settle = wholeNumber(args, "service-settle-ms", "milliseconds");
    if (settle !== undefined && settle > 60_000) throw new Args.UsageError("--service-settle-ms takes whole milliseconds from 0 to 60000");
    const services = Config.serviceSettings(config.right, {
      scanDirectory: Args.option(args, "scan-directory"),
      serviceTimeout: timeout,
      serviceSettleMs: settle,
    });
    if (services._tag === "Left") return yield* new ObserveError({ reason: "Config", message: services.left });
    return { settings: s.right, services: services.right };
  });

/**
 * What every command needs before it reads the machine: the root, the settings (flags over
 * config file over defaults) and the layer of live ports for the chosen service manager.
 */
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
} from "@switchyard/interpreter";
import { Effect, Layer } from "effect";
import * as Args from "./Args.js";

export interface CommandContext {
  readonly root: Root.Root;
  readonly settings: World.Settings;
  readonly args: Args.Parsed;
}

export const rootOf = (args: Args.Parsed): Root.Root => Root.make(path.resolve(Args.option(args, "root") ?? "/"));

/** The live ports. The service manager is `none` until a supervisor backend is chosen. */
export const liveLayer = (serviceManager: World.ServiceManagerKind) => {
  if (serviceManager !== "none") {
    throw new Args.UsageError(`--service-manager ${serviceManager} is not available in this version; use --service-manager none`);
  }
  return Layer.mergeAll(NodeFileSystemLive, NodeClockLive, NodeProcessRunnerLive, NoServiceManagerLive);
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
      bootloader: Args.oneOf(args, "bootloader", ["grub", "none"] as const),
      serviceManager: Args.oneOf(args, "service-manager", ["none", "s6"] as const),
    };
    const s = Config.settings(config.right, overrides, World.Paths.defaultProfile);
    if (s._tag === "Left") return yield* new ObserveError({ reason: "Config", message: s.left });
    return s.right;
  });

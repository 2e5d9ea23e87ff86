/**
 * What every command needs before it reads the machine: the root, the settings (flags over
 * config file over defaults, or for `apply --plan FILE` the plan's own and nothing else), and the
 * layers of live ports. The service manager's layer is built only once the settings are known,
 * because the config file or the plan may choose it. The settings of a saved plan or a journal
 * are read by `SavedSettings`, which the read-only commands never load.
 */
import * as path from "node:path";
import { Config, Decode, type Plan, World } from "@switchyard/model";
import { Absent, Clock, ConfinedPorts, nodeClock, nodeFileSystem, nodeProcessRunner, noServiceManager, ObserveError, observeFailure, Root, S6ServiceManager, ServiceManager } from "@switchyard/interpreter";
import { Context as Services, Effect } from "effect";
import * as Args from "./args/Args.js";
import * as Choices from "./args/Choices.js";
import * as Options from "./args/Options.js";

export interface CommandContext {
  readonly root: Root.Root;
  readonly settings: World.Settings;
  /** The supervisor's scan directory, service timeout and settle time (part of `settings`). */
  readonly services: Config.ServiceSettings;
  readonly args: Args.Parsed;
  /** The verified plan of `apply --plan FILE`; `settings` are its settings. */
  readonly saved: Plan.Plan | null;
}

/** The settings a command runs with, and the verified plan of `apply --plan FILE`. */
export type Configured = Pick<CommandContext, "settings" | "services" | "saved">;

export const rootOf = (args: Args.Parsed): Root.Root => Root.make(path.resolve(Args.option(args, "root") ?? "/"));

/**
 * The live ports every command has: file system, clock, processes; paths and programs confined to
 * the root. A context rather than a layer: building layers is a few milliseconds of every command.
 */
export const withBasePorts = <A, E, R>(root: Root.Root, effect: Effect.Effect<A, E, R>) =>
  Effect.provide(effect, ConfinedPorts.context(root, nodeFileSystem, nodeProcessRunner).pipe(Services.add(Clock, nodeClock)));

/** The service manager's live port; s6 drives the supervisor through the file system and process ports. */
export const withServices = <A, E, R>(root: Root.Root, kind: World.ServiceManagerKind, services: Config.ServiceSettings, effect: Effect.Effect<A, E, R>) =>
  kind === "s6"
    ? Effect.provideServiceEffect(effect, ServiceManager, S6ServiceManager.make({ root, settings: services }))
    : Effect.provideService(effect, ServiceManager, noServiceManager);

const configError = (message: string) => new ObserveError({ reason: "Config", message });

/** The settings of a run from the config file and the flags: every command but `apply --plan` and `recover`. */
export const configured = (root: Root.Root, args: Args.Parsed) =>
  Effect.map(fromConfig(root, args), (s): Configured => ({ settings: s, services: s, saved: null }));

/** Read `/etc/switchyard/config.json` (if any) and apply the flags over it. */
const fromConfig = (root: Root.Root, args: Args.Parsed) =>
  Effect.gen(function* () {
    const file = Root.host(root, World.Paths.configFile);
    const bytes = yield* Absent.readFile(file, (e) => observeFailure(e, `cannot read ${file}: ${e.message}`));
    // Syntax errors name the line and column; field errors the key as written.
    const config = bytes === null ? { _tag: "Right" as const, right: {} } : Decode.text(Config.ConfigFile, new TextDecoder().decode(bytes), file);
    if (config._tag === "Left") return yield* configError(`${Decode.describe(config.left)}; fix or remove it`);
    // The parser has checked the ranges (Options.ts).
    const activation = Options.whole(args, "activation-timeout");
    const s = Config.settings(config.right, {
      profile: Args.option(args, "profile"),
      bootloader: Args.oneOf(args, "bootloader", Choices.bootloader),
      esp: Args.option(args, "esp"),
      layout: Args.oneOf(args, "layout", Choices.layout),
      serviceManager: Args.oneOf(args, "service-manager", Choices.serviceManager),
      scanDirectory: Args.option(args, "scan-directory"),
      serviceTimeout: Options.whole(args, "service-timeout"),
      serviceSettleMs: Options.whole(args, "service-settle-ms"),
      activationTimeoutMs: activation === undefined ? undefined : activation * 1000,
    });
    if (s._tag === "Left") return yield* configError(s.left);
    return s.right;
  });

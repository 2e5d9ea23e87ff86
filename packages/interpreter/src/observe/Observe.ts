/**
 * Reads the machine into the model's `World`: the generation links, the profile link, the running
 * and booted system links, every generation's manifest (or its NixOS bootspec or Guix parameters),
 * every file the bootloader owns, the pinned generations and the live services.
 * Everything is read through the ports, so the same code observes a real root and an in-memory one.
 * A link that escapes the root, or a file where a link belongs, is an error naming it; a generation
 * whose system directory is gone is kept, with an invalid manifest, so it can still be listed and deleted.
 */
import { type Preconditions, RestartDebt, type InRootPath, type SnapshotStore, World } from "@switchyard/model";
import { Effect } from "effect";
import * as BootFiles from "./BootFiles.js";
import * as Decode from "../internal/Decode.js";
import { ObserveError, observeFailure } from "../Errors.js";
import * as Generations from "./Generations.js";
import * as Links from "./Links.js";
import * as ManifestFile from "./ManifestFile.js";
import * as Pins from "../state/Pins.js";
import * as StateFiles from "./StateFiles.js";
import * as SystemFiles from "./SystemFiles.js";
import { Clock } from "../ports/Clock.js";
import { FileSystem } from "../ports/FileSystem.js";
import { ProcessRunner } from "../ports/ProcessRunner.js";
import { ServiceManager } from "../ports/ServiceManager.js";
import * as Root from "../root/Root.js";

export const MANIFEST_LIMIT = ManifestFile.LIMIT;

/** A system directory's description: its manifest.json, or else its bootspec or Guix parameters. */
export const readManifest = (root: Root.Root, system: InRootPath.InRootPath, exists = true) =>
  Effect.flatMap(ManifestFile.read(root, system, exists), (result) =>
    result._tag === "Valid" || !exists ? Effect.succeed(result) : Effect.map(SystemFiles.describe(root, system), (d): World.ManifestResult => d?.result ?? result),
  );

/** The generation links, the profile link and each generation's manifest header (see `Generations`). */
export const generations = Generations.observe;

/** What `list` shows: the generations, which is current, running and booted, and which are pinned; nothing a plan needs besides. */
export type Listing = Pick<World.World, "settings" | "generations" | "profileTarget" | "current" | "running" | "booted" | "pins">;

const marked = (root: Root.Root, settings: World.Settings, headers: "all" | "onDemand") =>
  Effect.gen(function* () {
    const links = yield* Generations.observe(root, settings, headers);
    const generations = links.generations;
    const running = yield* systemLink(root, World.Paths.currentSystem, generations, links.current);
    const booted = yield* systemLink(root, World.Paths.bootedSystem, generations, links.current);
    const pins = yield* Pins.read(root);
    return { settings, generations, profileTarget: links.profileTarget, current: links.current, running, booted, pins } satisfies Listing;
  });

/** A listing reads none of the bootloader's files, but refuses a root whose boot files lead out of it, as every command does. */
export const listing = Effect.fn("observeListing")(function* (root: Root.Root, settings: World.Settings) {
  const listed = yield* marked(root, settings, "all");
  yield* BootFiles.confined(root, settings);
  return listed;
});

/** `store`: the snapshot store a saved plan records, so its config is not read again. */
export const world = Effect.fn("observeWorld")(function* (root: Root.Root, settings: World.Settings, store?: SnapshotStore.SnapshotStore) {
  const { generations, profileTarget, current, running, booted, pins } = yield* marked(root, settings, "onDemand");
  const links = { profileTarget, current };
  const boot = yield* BootFiles.read(root, settings);
  const services = yield* liveServices;
  const proc = yield* ProcessRunner;
  const restartDebt = yield* readRestartDebt(root);
  const state = yield* StateFiles.observe(root, store);
  const w: World.World = {
    settings,
    generations,
    profileTarget: links.profileTarget,
    current: links.current,
    running,
    booted,
    bootConfig: boot?.bootConfig ?? null,
    liveServices: services === null ? null : services.map(([name]) => name),
    serviceRevisions: services,
    bootId: proc.bootId,
    restartDebt,
    ...(boot === null ? {} : { bootFiles: boot.bootFiles }),
    pins,
    ...state,
  };
  return w;
});

/** Just what a plan's preconditions need: links, the boot files' digest, the pins and the live services, no manifests. */
export const preconditionWorld = Effect.fn("observePreconditions")(function* (root: Root.Root, settings: World.Settings) {
  const links = yield* Generations.observe(root, settings);
  const running = yield* Links.read(root, World.Paths.currentSystem);
  const bootConfig = (yield* BootFiles.read(root, settings))?.bootConfig ?? null;
  return {
    profileTarget: links.profileTarget,
    generations: links.generations.map((g) => [g.number, g.system] as const),
    currentSystem: running,
    bootConfigDigest: bootConfig?.digest ?? null,
    pins: yield* Pins.read(root),
    services: yield* liveServices,
  } satisfies Preconditions.Preconditions;
});

/** Each service that is up and the revision it runs, sorted by name; null when there is no service manager. */
const liveServices = Effect.gen(function* () {
  const manager = yield* ServiceManager;
  const status = yield* manager.status.pipe(
    Effect.mapError((e) => new ObserveError({ reason: "Io", message: `cannot ask the service manager which services are up: ${e.message}` })),
  );
  if (status === null) return null;
  return status
    .filter((o) => o.up)
    .map((o) => [o.name, o.revision] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
});

const systemLink = (
  root: Root.Root,
  path: InRootPath.InRootPath,
  generations: ReadonlyArray<World.Generation>,
  current: World.World["current"],
) =>
  Effect.gen(function* () {
    const target = yield* Links.read(root, path);
    if (target === null) return { target: null, system: null, generation: null, manifest: null } satisfies World.SystemLink;
    const system = yield* Links.resolveInside(root, path, target);
    // Prefer the current generation when several share a system directory.
    // A generation's link name is built on each read: compared only when the target can be one.
    const viaLink = system.endsWith("-link");
    const matches = generations.filter((g) => g.system === system || (viaLink && g.link === system));
    const g = matches.find((m) => m.number === current) ?? matches[matches.length - 1];
    // The manifest is the generation's own, decoded (or read) only if a plan asks for it.
    if (g !== undefined) {
      return {
        target,
        system: g.system,
        generation: g.number,
        get manifest() {
          return g.manifest;
        },
      } satisfies World.SystemLink;
    }
    const exists = yield* Links.exists(root, system);
    const manifest = yield* readManifest(root, system, exists);
    return { target, system, generation: null, manifest } satisfies World.SystemLink;
  });

/** The restart-debt record; an unreadable one counts as empty (it is rewritten by the next switch). */
const readRestartDebt = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const path = Root.host(root, RestartDebt.PATH);
    const bytes = yield* fs.readFile(path).pipe(
      Effect.map((b): Uint8Array | null => b),
      Effect.catchAll(() => Effect.succeed(null)),
    );
    if (bytes === null) return { text: null, entries: [] };
    const text = new TextDecoder().decode(bytes);
    const entries = yield* Decode.text(RestartDebt.File, text, path, () => null).pipe(
      Effect.match({ onFailure: (): ReadonlyArray<RestartDebt.Entry> => [], onSuccess: (file) => file.entries }),
    );
    return { text, entries };
  });

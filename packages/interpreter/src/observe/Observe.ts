/**
 * Reads the machine into the model's `World`: the generation links, the profile link, the running
 * and booted system links, every generation's manifest, the boot config and the live services.
 * Everything is read through the ports, so the same code observes a real root and an in-memory one.
 * A link that escapes the root, or a file where a link belongs, is an error naming it; a generation
 * whose system directory is gone is kept, with an invalid manifest, so it can still be listed and deleted.
 */
import { Manifest, RestartDebt, type InRootPath, World } from "@switchyard/model";
import { Effect } from "effect";
import * as BootFiles from "./BootFiles.js";
import { ObserveError } from "../Errors.js";
import * as Links from "./Links.js";
import * as Pins from "../state/Pins.js";
import * as SystemFiles from "./SystemFiles.js";
import { Clock } from "../ports/Clock.js";
import { FileSystem } from "../ports/FileSystem.js";
import { ProcessRunner } from "../ports/ProcessRunner.js";
import { ServiceManager } from "../ports/ServiceManager.js";
import * as Root from "../root/Root.js";

/** Manifests larger than this are refused rather than parsed. */
export const MANIFEST_LIMIT = 16 * 1024 * 1024;

export const world = Effect.fn("observeWorld")(function* (root: Root.Root, settings: World.Settings) {
  const clock = yield* Clock;
  const links = yield* Links.generations(root, settings);
  const generations = yield* Effect.forEach(links.generations, (g) =>
    Effect.flatMap(readText(root, g.system, g.exists), (text) => {
      const made = generationOf(g, clock.utcOffsetMinutes(g.createdMs), text);
      // No manifest.json: a NixOS or Guix generation describes itself in its own file.
      if (text._tag !== "Invalid" || !g.exists) return Effect.succeed(made);
      const { header: _h, manifest: _m, ...link } = made;
      return Effect.map(SystemFiles.generation(root, link), (foreign) => foreign ?? made);
    }),
  );
  const running = yield* systemLink(root, World.Paths.currentSystem, generations, links.current);
  const booted = yield* systemLink(root, World.Paths.bootedSystem, generations, links.current);
  const boot = yield* BootFiles.read(root, settings);
  const bootConfig = boot?.bootConfig ?? null;
  const manager = yield* ServiceManager;
  const liveServices = yield* manager.live.pipe(
    Effect.mapError((e) => new ObserveError({ reason: "Io", message: `cannot ask the service manager which services are up: ${e.message}` })),
  );
  const proc = yield* ProcessRunner;
  const restartDebt = yield* readRestartDebt(root);
  const pins = yield* Pins.read(root);
  const w: World.World = {
    settings,
    generations,
    profileTarget: links.profileTarget,
    current: links.current,
    running,
    booted,
    bootConfig,
    liveServices,
    bootId: proc.bootId,
    restartDebt,
    ...(boot === null ? {} : { bootFiles: boot.bootFiles }),
    pins,
  };
  return w;
});

/** Just what a plan's preconditions need: links and the boot config's digest, no manifests. */
export const preconditionWorld = Effect.fn("observePreconditions")(function* (root: Root.Root, settings: World.Settings) {
  const links = yield* Links.generations(root, settings);
  const running = yield* Links.read(root, World.Paths.currentSystem);
  const bootConfig = (yield* BootFiles.read(root, settings))?.bootConfig ?? null;
  return {
    profileTarget: links.profileTarget,
    generations: links.generations.map((g) => [g.number, g.system] as const),
    currentSystem: running,
    bootConfigDigest: bootConfig?.digest ?? null,
  };
});

const invalid = (file: string, message: string): Extract<World.ManifestResult, { _tag: "Invalid" }> => ({
  _tag: "Invalid",
  error: { _tag: "ManifestError", file, field: "(file)", message },
});

type ManifestText = { readonly _tag: "Text"; readonly text: string; readonly file: string } | Extract<World.ManifestResult, { _tag: "Invalid" }>;

/**
 * A generation whose header is decoded now and whose whole manifest (services included) is decoded
 * on first read, once: most generations are only listed or put in the boot menu.
 */
const generationOf = (g: Links.LinkObservation, utcOffsetMinutes: number, text: ManifestText): World.Generation => {
  const { exists: _, ...link } = g;
  if (text._tag === "Invalid") return { ...link, utcOffsetMinutes, header: text, manifest: text };
  const json = Manifest.parse(text.text, text.file);
  if (json._tag === "Left") {
    const invalid = { _tag: "Invalid", error: json.left } as const;
    return { ...link, utcOffsetMinutes, header: invalid, manifest: invalid };
  }
  const header = Manifest.decodeHeader(json.right, g.system, text.file);
  if (header._tag === "Left") {
    const invalid = { _tag: "Invalid", error: header.left } as const;
    return { ...link, utcOffsetMinutes, header: invalid, manifest: invalid };
  }
  let full: World.ManifestResult | undefined;
  const generation = { ...link, utcOffsetMinutes, header: { _tag: "Valid", header: header.right } } as World.Generation;
  Object.defineProperty(generation, "manifest", {
    enumerable: true,
    get: (): World.ManifestResult => (full ??= resultOf(Manifest.decode(json.right, g.system, text.file))),
  });
  return generation;
};

const resultOf = (decoded: ReturnType<typeof Manifest.decode>): World.ManifestResult =>
  decoded._tag === "Right" ? { _tag: "Valid", manifest: decoded.right } : { _tag: "Invalid", error: decoded.left };

/** Read and decode `<system>/manifest.json`; every failure becomes an invalid result naming the file. */
export const readManifest = (root: Root.Root, system: InRootPath.InRootPath, exists = true) =>
  Effect.flatMap(readText(root, system, exists), (text) =>
    text._tag !== "Invalid"
      ? Effect.succeed(resultOf(Manifest.fromText(text.text, system, text.file)))
      : exists
        ? Effect.map(SystemFiles.describe(root, system), (d): World.ManifestResult => d?.result ?? text)
        : Effect.succeed<World.ManifestResult>(text),
  );

/** The manifest's text, or why there is none to read. */
const readText = (root: Root.Root, system: InRootPath.InRootPath, exists = true) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = Root.host(root, `${system === "/" ? "" : system}/${Manifest.FILE_NAME}`);
    if (!exists) return invalid(Root.host(root, system), "the system directory does not exist (was it garbage-collected?)");
    const stat = yield* Effect.either(fs.lstat(file));
    if (stat._tag === "Left") return invalid(file, stat.left.reason === "NotFound" ? "missing; this is not a system directory" : stat.left.message);
    if (stat.right.kind !== "file") return invalid(file, `expected a file, found a ${stat.right.kind}`);
    if (stat.right.size > MANIFEST_LIMIT) return invalid(file, `${stat.right.size} bytes is over the ${MANIFEST_LIMIT / 1024 / 1024} MiB limit for a manifest`);
    const bytes = yield* Effect.either(fs.readFile(file));
    if (bytes._tag === "Left") return invalid(file, bytes.left.message);
    const text = decodeUtf8(bytes.right);
    if (text === null) return invalid(file, "not valid UTF-8; rebuild this system directory");
    return { _tag: "Text", text, file } satisfies ManifestText;
  });

const decoder = new TextDecoder("utf-8", { fatal: true });
const decodeUtf8 = (bytes: Uint8Array): string | null => {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
};

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
    const matches = generations.filter((g) => g.system === system || g.link === system);
    const g = matches.find((m) => m.number === current) ?? matches[matches.length - 1];
    if (g !== undefined) return { target, system: g.system, generation: g.number, manifest: g.manifest } satisfies World.SystemLink;
    const exists = yield* Links.exists(root, system);
    const manifest = yield* readManifest(root, system, exists);
    return { target, system, generation: null, manifest } satisfies World.SystemLink;
  });

/** The restart-debt record; an unreadable one counts as empty (it is rewritten by the next switch). */
const readRestartDebt = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const bytes = yield* fs.readFile(Root.host(root, RestartDebt.PATH)).pipe(
      Effect.map((b): Uint8Array | null => b),
      Effect.catchAll(() => Effect.succeed(null)),
    );
    if (bytes === null) return { text: null, entries: [] };
    const text = new TextDecoder().decode(bytes);
    const entries = RestartDebt.fromText(text);
    return { text, entries: entries._tag === "Right" ? entries.right : [] };
  });

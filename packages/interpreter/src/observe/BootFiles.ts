/**
 * Reads what the configured bootloader owns (the model's `Bootloader.watches` says which files
 * and directories), so plans can render against it and apply can refuse a plan made stale by the
 * loader itself (systemd-boot renames entries and GRUB saves its environment block at every trial
 * boot). The digest covers every name and text read; kernels on the ESP are listed, not read.
 */
import { type BootFiles as Files, BootSteps, type InRootPath, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import { ObserveError, observeFailure } from "../Errors.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import { sha256 } from "../internal/Digest.js";
import * as Absent from "../ports/Absent.js";

/** Boot config files are small; anything larger is not ours. */
const TEXT_LIMIT = 1024 * 1024;
const decoder = new TextDecoder();

// A path that leads out of the root is the machine set up wrong (exit 2), not a failure to read it.
const io = (what: string) => (e: FsError) => observeFailure(e, `cannot read the boot config: ${what}: ${e.message}`);

const readText = (root: Root.Root, path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, path);
    const stat = yield* fs.lstat(host).pipe(
      Absent.orNull,
      Effect.mapError(io(host)),
    );
    if (stat === null || (stat.kind !== "file" && stat.kind !== "symlink")) return null;
    // A link is read through, confined: one that leads out of the root is refused, never replaced unseen.
    if (stat.size > TEXT_LIMIT) return yield* new ObserveError({ reason: "Layout", message: `${host} is ${stat.size} bytes, too large for a boot config file; move it away` });
    return decoder.decode(yield* fs.readFile(host).pipe(Effect.mapError(io(host))));
  });

const names = (root: Root.Root, directory: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.readDirectory(Root.host(root, directory)).pipe(
      Effect.map((all) => all.filter((n) => !Durable.isTempName(n))),
      Effect.catchIf((e) => e.reason === "NotFound" || e.reason === "NotDirectory", () => Effect.succeed([] as ReadonlyArray<string>)),
      Effect.mapError(io(Root.host(root, directory))),
    ),
  );

const join = (dir: string, name: string): string => `${dir === "/" ? "" : dir}/${name}`;

/** The bootloader's files and the `bootConfig` that stands for them (null with no bootloader). */
export const read = Effect.fn("observeBootFiles")(function* (root: Root.Root, settings: World.Settings) {
  const loader = BootSteps.bootloaderOf(settings.bootloader);
  if (loader === null) return null;
  const files: Record<string, string | null> = {};
  for (const watch of loader.watches(settings)) {
    if (watch._tag === "File") {
      const text = yield* readText(root, watch.path);
      if (text !== null) files[watch.path] = text;
      continue;
    }
    for (const name of yield* names(root, watch.directory)) {
      const path = join(watch.directory, name);
      if (watch._tag === "Names") files[path] = null;
      else {
        const text = yield* readText(root, path);
        if (text !== null) files[path] = text;
      }
    }
  }
  const bootFiles: Files.Observed = { files };
  const config = loader.configPath(settings);
  const content = files[config] ?? null;
  // Computed when a plan's preconditions are first read (saved or checked), not to show or journal one.
  let digest: string | null | undefined;
  const bootConfig: NonNullable<World.World["bootConfig"]> = {
    path: config as InRootPath.InRootPath,
    content,
    get digest() {
      return digest === undefined ? (digest = Object.keys(files).length === 0 ? null : sha256(JSON.stringify(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))))) : digest;
    },
  };
  return { bootConfig, bootFiles };
});

/**
 * Fails as `read` would when a path to the bootloader's files leads out of the root, without
 * reading them: a listing shows no boot files, but a root set up wrong is refused by every command.
 */
export const confined = Effect.fn("confineBootFiles")(function* (root: Root.Root, settings: World.Settings) {
  const fs = yield* FileSystem;
  const loader = BootSteps.bootloaderOf(settings.bootloader);
  if (loader === null) return;
  for (const watch of loader.watches(settings)) {
    const host = Root.host(root, watch._tag === "File" ? watch.path : watch.directory);
    yield* fs.realPath(host).pipe(
      Effect.catchIf((e) => e.reason !== "OutsideRoot", () => Effect.void),
      Effect.mapError(io(host)),
    );
  }
});

/**
 * The profile's symlinks: `system-N-link` → system directory (absolute), `system` → `system-N-link`
 * (relative), the layout Nix and Guix use. Reads them and checks that each stays inside the root
 * (lexically and after resolving every symlink on the host), that links are links, and that the
 * profile points at one of its own generations. Which entry is what is the model's `ProfileEntry`.
 */
import { type GenerationNumber, InRootPath, ProfileEntry, World } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError, observeFailure } from "../Errors.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export interface LinkObservation {
  readonly number: GenerationNumber.GenerationNumber;
  readonly link: InRootPath.InRootPath;
  readonly system: InRootPath.InRootPath;
  readonly createdMs: number;
  /** False when the system directory is gone (garbage-collected): listed and deletable, not switchable. */
  readonly exists: boolean;
}

const io = (e: FsError) => observeFailure(e);

/** The target of the symlink at `path`, or null when nothing is there; anything else there is an error. */
export const read = (root: Root.Root, path: InRootPath.InRootPath) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, path);
    const stat = yield* fs.lstat(host).pipe(
      Effect.map((s) => s as { kind: string } | null),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
      Effect.mapError(io),
    );
    if (stat === null) return null;
    if (stat.kind !== "symlink") {
      return yield* new ObserveError({ reason: "Layout", message: `${host} should be a symlink but is a ${stat.kind}; move it away` });
    }
    return yield* fs.readLink(host).pipe(Effect.mapError(io));
  });

/** Resolve a link's target inside the root; a target that climbs out of it is refused. */
export const resolveInside = (root: Root.Root, linkPath: InRootPath.InRootPath, target: string) => {
  const resolved = InRootPath.resolve(InRootPath.dirname(linkPath), target);
  return resolved._tag === "Right"
    ? Effect.succeed(resolved.right)
    : Effect.fail(
        new ObserveError({ reason: "Link", message: `${Root.host(root, linkPath)} points outside the root (${target}); remove it or point it inside` }),
      );
};

/**
 * Whether an in-root directory exists, checking on the host that no symlink on the way leaves the
 * root. System directories share their parent (a store), so `parents` caches the parent's real path:
 * one lstat per system directory instead of a realpath that reads every component again.
 */
export const exists = (root: Root.Root, path: InRootPath.InRootPath, knownRealRoot?: string, parents?: Map<string, string | null>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const real = yield* realPathVia(root, path, parents).pipe(
      Effect.map((r): string | null => r),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
      Effect.mapError(io),
    );
    if (real === null) return false;
    const realRoot = knownRealRoot ?? (yield* realRootOf(root));
    const within = realRoot === "/" || real === realRoot || real.startsWith(`${realRoot}/`);
    if (!within) {
      return yield* new ObserveError({ reason: "Link", message: `${Root.host(root, path)} resolves outside the root (to ${real}); fix the symlinks on the way` });
    }
    return true;
  });

const realPathVia = (root: Root.Root, path: InRootPath.InRootPath, parents?: Map<string, string | null>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, path);
    if (parents === undefined) return yield* fs.realPath(host);
    const parent = Root.dirnameOf(host);
    let realParent = parents.get(parent);
    if (realParent === undefined) {
      realParent = yield* fs.realPath(parent).pipe(
        Effect.map((r): string | null => r),
        Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
      );
      parents.set(parent, realParent);
    }
    if (realParent === null) return yield* fs.realPath(host);
    const stat = yield* fs.lstat(host);
    // Only a symlink needs resolving; anything else sits where its parent really is.
    return stat.kind === "symlink" ? yield* fs.realPath(host) : `${realParent === "/" ? "" : realParent}/${Root.basenameOf(host)}`;
  });

export const realRootOf = (root: Root.Root) =>
  Effect.flatMap(FileSystem, (fs) => fs.realPath(root.prefix === "" ? "/" : root.prefix).pipe(Effect.mapError(io)));

/** Every generation link of the profile, ascending, plus where the profile link points. */
export const generations = Effect.fn("observeGenerations")(function* (root: Root.Root, settings: World.Settings) {
  const fs = yield* FileSystem;
  const dir = World.profileDir(settings);
  const name = World.profileName(settings);
  const hostDir = Root.host(root, dir);
  const entries = yield* fs.readDirectory(hostDir).pipe(
    Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed([] as ReadonlyArray<string>)),
    Effect.mapError(io),
  );
  const found: Array<{ number: GenerationNumber.GenerationNumber; entry: string }> = [];
  for (const entry of entries) {
    const kind = ProfileEntry.classify(name, entry);
    if (kind._tag === "Malformed") return yield* new ObserveError({ reason: "Layout", message: `${hostDir}/${entry}: ${kind.message}` });
    if (kind._tag === "Generation") found.push({ number: kind.number, entry });
  }
  found.sort((a, b) => a.number - b.number);
  const realRoot = yield* realRootOf(root);
  const parents = new Map<string, string | null>();
  const generations = yield* Effect.forEach(
    found,
    ({ number, entry }) =>
      Effect.gen(function* () {
        const link = InRootPath.join(dir, entry);
        const host = Root.host(root, link);
        const stat = yield* fs.lstat(host).pipe(Effect.mapError(io));
        if (stat.kind !== "symlink") {
          return yield* new ObserveError({ reason: "Layout", message: `${host} should be a symlink to a system directory but is a ${stat.kind}; move it out of the profile directory` });
        }
        const target = yield* fs.readLink(host).pipe(Effect.mapError(io));
        const system = yield* resolveInside(root, link, target);
        const present = yield* exists(root, system, realRoot, parents);
        return { number, link, system, createdMs: stat.mtimeMs, exists: present } satisfies LinkObservation;
      })
  );
  const profileTarget = yield* read(root, settings.profile);
  let current: GenerationNumber.GenerationNumber | null = null;
  if (profileTarget !== null) {
    const resolved = yield* resolveInside(root, settings.profile, profileTarget);
    const named = ProfileEntry.generationOfTarget(dir, name, resolved);
    const hostProfile = Root.host(root, settings.profile);
    if (named === null) {
      return yield* new ObserveError({ reason: "Link", message: `${hostProfile} points to ${profileTarget}, which is not a generation of this profile; point it at a ${name}-N-link` });
    }
    if (!generations.some((g) => g.number === named)) {
      return yield* new ObserveError({ reason: "Link", message: `${hostProfile} is dangling: ${profileTarget} does not exist; point it at an existing generation (ln -sfn ${name}-N-link ${hostProfile})` });
    }
    current = named;
  }
  return { generations, profileTarget, current };
});

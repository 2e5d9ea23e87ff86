/**
 * The profile's symlinks: `system-N-link` → system directory (absolute), `system` → `system-N-link`
 * (relative), the layout Nix and Guix use, and the system links in /run. Reads a link, and checks
 * that what it names stays inside the root (lexically and after resolving every symlink on the
 * host). The profile as a whole is read by `Generations`.
 */
import { InRootPath } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError, observeFailure } from "../Errors.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

const io = (e: FsError) => observeFailure(e);

/** The target of the symlink at `path`, or null when nothing is there; anything else there is an error. */
export const read = (root: Root.Root, path: InRootPath.InRootPath) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, path);
    const stat = yield* Absent.orNull(fs.lstat(host)).pipe(Effect.mapError(io));
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

/** Whether an in-root directory exists, checking on the host that no symlink on the way leaves the root. */
export const exists = (root: Root.Root, path: InRootPath.InRootPath) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const real = yield* fs.realPath(Root.host(root, path)).pipe(
      Absent.orNull,
      Effect.mapError(io),
    );
    if (real === null) return false;
    const realRoot = yield* realRootOf(root);
    const within = realRoot === "/" || real === realRoot || real.startsWith(`${realRoot}/`);
    if (!within) {
      return yield* new ObserveError({ reason: "Link", message: `${Root.host(root, path)} resolves outside the root (to ${real}); fix the symlinks on the way` });
    }
    return true;
  });

export const realRootOf = (root: Root.Root) =>
  Effect.flatMap(FileSystem, (fs) => fs.realPath(root.prefix === "" ? "/" : root.prefix).pipe(Effect.mapError(io)));

/**
 * Confinement: where a host path below the root really is, resolved component by component with
 * lstat and readlink the way the kernel would, except that a symlink is followed only when its
 * target stays inside the root (an absolute target must name a path below the root, a relative
 * one must not climb above it), with a bound on the number of links. Every port operation that
 * takes a path runs on the path this returns (`ConfinedPorts.ts`), so no read, write, rename,
 * removal or program run can reach outside the root through a link on the way.
 *
 * Directories are resolved once and remembered: a command touches thousands of entries of a few
 * directories, so the common case is one map lookup. What is remembered is forgotten when the
 * tool renames or removes one of those directories or links, and entirely after any program ran
 * (it may have changed the tree). A component that does not exist ends the walk: the rest is
 * appended as it is, since the kernel cannot follow anything below a missing directory.
 */
import { posix } from "node:path";
import { Effect } from "effect";
import type { FileKind, FileSystemService, FsError } from "../ports/FileSystem.js";
import * as FsErrors from "../ports/FsErrors.js";
import type * as Root from "./Root.js";

/** As Linux's MAXSYMLINKS: more links than this on one path is a loop. */
const MAX_LINKS = 40;

export interface Confinement {
  /** The root, as given; links above it are the user's choice (`--root`) and are not checked. */
  readonly root: Root.Root;
  /**
   * The host path at which `path` really is: every directory on the way resolved inside the root,
   * and the last component too when `followLast`. Fails with `OutsideRoot` (naming the link) when
   * that would leave the root, `Invalid` on a loop. `op` names the operation in the error.
   */
  readonly resolve: (path: string, followLast: boolean, op: FsErrors.FsOp) => Effect.Effect<string, FsError>;
  /**
   * Where `path` (not followed) really is when no lookup is needed: its directory is resolved
   * already, or `plainParent` (the caller proved it a plain directory) and its grandparent is.
   * Null otherwise: then `resolve` does the walk.
   */
  readonly known: (path: string, plainParent: boolean) => string | null;
  /** The tool renamed, removed or replaced what is at the (resolved) `path`. */
  readonly changed: (path: string) => void;
  /** Something else may have changed the tree (a program ran). */
  readonly forgetAll: () => void;
}

type Lookup = Pick<FileSystemService, "lstat" | "readLink" | "realPath">;

/** What a walk reached: a path the kernel can be given as it is, and what is there (null: nothing, or unknown). */
interface Reached {
  readonly path: string;
  readonly kind: FileKind | null;
}

const join = (dir: string, names: ReadonlyArray<string>): string => (names.length === 0 ? dir : `${dir === "/" ? "" : dir}/${names.join("/")}`);
const namesOf = (path: string): Array<string> => path.split("/").filter((n) => n !== "" && n !== ".");
/** A path's directory and last name; the name is null when it is not a plain name ("", ".", ".."). */
const split = (path: string): readonly [string, string | null] => {
  const cut = path.lastIndexOf("/");
  const name = path.slice(cut + 1);
  return [cut <= 0 ? "/" : path.slice(0, cut), name === "" || name === "." || name === ".." ? null : name];
};

export const make = (root: Root.Root, fs: Lookup): Confinement => {
  const top = root.prefix === "" ? "/" : root.prefix;
  let realTop: string | null = null;
  /** Directory path (as a walk or a caller spells it) → where it really is. */
  const dirs = new Map<string, string>();
  const targets = new Set<string>();
  /** The last grandparent `known` looked up (a batch shares one store): compared, not hashed again. */
  let lastUp: { readonly path: string; readonly real: string } | null = null;
  const remember = (path: string, real: string) => {
    dirs.set(path, real);
    targets.add(real);
    lastUp = null;
  };
  const forgetAll = () => {
    dirs.clear();
    targets.clear();
    lastUp = null;
  };

  const topReal = Effect.suspend(() =>
    realTop !== null
      ? Effect.succeed(realTop)
      : fs.realPath(top).pipe(
          Effect.orElseSucceed(() => top),
          Effect.tap((real) => Effect.sync(() => void (realTop = real))),
        ),
  );

  /** The names below the root of an absolute host path, or null when it is not below the root. */
  const below = (real: string, path: string): Array<string> | null => {
    for (const base of real === top ? [top] : [real, top]) {
      if (base === "/") return namesOf(path);
      if (path === base || path.startsWith(`${base}/`)) return namesOf(path.slice(base.length));
    }
    return null;
  };

  /** Why following `link` (holding `target`) is refused. */
  const escape = (op: FsErrors.FsOp, path: string, link: string, target: string) =>
    FsErrors.make("OutsideRoot", op, path, { detail: `${link} resolves outside the root (to ${target}); switchyard never follows a link out of its root` });

  /** Walk `names` from the real directory `start`; `via` is the link whose target they are, if any. */
  const walk = (
    op: FsErrors.FsOp,
    path: string,
    real: string,
    start: string,
    names: ReadonlyArray<string>,
    followLast: boolean,
    hops: { n: number },
    via: readonly [string, string] | null,
  ): Effect.Effect<Reached, FsError> =>
    Effect.gen(function* () {
      let dir = start;
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const last = i === names.length - 1;
        const rest = names.slice(i + 1);
        if (name === "..") {
          // Above "/" is "/" again; above any other root is outside it.
          if (dir === real && real !== "/") {
            return yield* Effect.fail(via === null ? FsErrors.make("OutsideRoot", op, path, { detail: `it climbs above the root ${top}` }) : escape(op, path, ...via));
          }
          dir = posix.dirname(dir);
          continue;
        }
        const here = join(dir, [name]);
        if (last && !followLast) return { path: here, kind: null };
        const known = dirs.get(here);
        if (known !== undefined) {
          dir = known;
          continue;
        }
        const stat = yield* Effect.either(fs.lstat(here));
        // Missing, or not to be looked at: the kernel will say so on the real operation.
        if (stat._tag === "Left") return { path: join(here, rest), kind: null };
        const kind = stat.right.kind;
        if (kind === "directory") {
          remember(here, here);
          dir = here;
          continue;
        }
        if (kind !== "symlink") return { path: join(here, rest), kind: last ? kind : null };
        if (++hops.n > MAX_LINKS) return yield* Effect.fail(FsErrors.make("Invalid", op, path, { detail: "too many symbolic links encountered" }));
        const target = yield* Effect.either(fs.readLink(here));
        if (target._tag === "Left") return { path: join(here, rest), kind: null };
        const reached = yield* follow(op, path, real, dir, here, target.right, hops);
        // A link to nothing (inside the root) stays as it is: the kernel reports it as it would.
        if (reached.kind === null) return { path: join(here, rest), kind: null };
        if (last) return reached;
        if (reached.kind !== "directory") return { path: join(reached.path, rest), kind: null };
        remember(here, reached.path);
        dir = reached.path;
      }
      return { path: dir, kind: "directory" };
    });

  const follow = (op: FsErrors.FsOp, path: string, real: string, dir: string, link: string, target: string, hops: { n: number }) => {
    if (!target.startsWith("/")) return walk(op, path, real, dir, namesOf(target), true, hops, [link, target]);
    const names = below(real, posix.normalize(target));
    return names === null ? Effect.fail(escape(op, path, link, target)) : walk(op, path, real, real, names, true, hops, [link, target]);
  };

  /** The whole walk from the root, for what the quick paths below do not cover. */
  const slow = (path: string, followLast: boolean, op: FsErrors.FsOp, parent: string, name: string | null): Effect.Effect<string, FsError> =>
    Effect.flatMap(topReal, (real) => {
      const names = below(real, path);
      if (names === null) return Effect.fail(FsErrors.make("OutsideRoot", op, path, { detail: `it lies outside the root ${top}` }));
      const hops = { n: 0 };
      if (names.length === 0) return Effect.succeed(real);
      if (name === null) return Effect.map(walk(op, path, real, real, names, followLast, hops, null), (r) => r.path);
      return Effect.flatMap(walk(op, path, real, real, names.slice(0, -1), true, hops, null), (up) => {
        if (up.kind !== "directory") return Effect.succeed(join(up.path, [name]));
        remember(parent, up.path);
        return followLast ? Effect.map(walk(op, path, real, up.path, [name], true, hops, null), (r) => r.path) : Effect.succeed(join(up.path, [name]));
      });
    });

  /** Where the directory `dir` really is when that is known or one lstat away (its parent is known); null otherwise. */
  const quickDir = (dir: string): Effect.Effect<string | null> => {
    const known = dirs.get(dir);
    if (known !== undefined) return Effect.succeed(known);
    const [up, name] = split(dir);
    const upReal = name === null ? undefined : dirs.get(up);
    if (upReal === undefined || name === null) return Effect.succeed(null);
    const here = join(upReal, [name]);
    return Effect.map(Effect.either(fs.lstat(here)), (stat) => {
      if (stat._tag === "Left" || stat.right.kind !== "directory") return null;
      remember(here, here);
      remember(dir, here);
      return here;
    });
  };

  const resolve = (path: string, followLast: boolean, op: FsErrors.FsOp): Effect.Effect<string, FsError> => {
    const [parent, name] = split(path);
    if (name === null) return slow(path, followLast, op, parent, null);
    const known = dirs.get(parent);
    // The hot path: an entry of a directory already resolved, not followed.
    if (known !== undefined && !followLast) return Effect.succeed(join(known, [name]));
    return Effect.flatMap(quickDir(parent), (dir) => {
      if (dir === null) return slow(path, followLast, op, parent, name);
      const here = join(dir, [name]);
      if (!followLast) return Effect.succeed(here);
      const knownHere = dirs.get(here);
      if (knownHere !== undefined) return Effect.succeed(knownHere);
      // Only a link needs the walk; anything else is where it is.
      return Effect.flatMap(Effect.either(fs.lstat(here)), (stat) =>
        stat._tag === "Right" && stat.right.kind === "symlink" ? slow(path, followLast, op, parent, name) : Effect.succeed(here),
      );
    });
  };

  // Most directories really are where they are spelled: then the answer is `path` itself, and a
  // batch of 10,000 paths allocates nothing but the parents' names.
  const known = (path: string, plainParent: boolean): string | null => {
    const cut = path.lastIndexOf("/");
    if (cut <= 0) return null;
    const name = path.slice(cut + 1);
    if (name === "" || name === "." || name === "..") return null;
    if (plainParent) {
      // The caller proved the parent a plain directory: where it is follows from its own parent,
      // which a batch nearly always shares (a store): compared with the last one, not looked up.
      const upCut = path.lastIndexOf("/", cut - 1);
      const parentName = path.slice(upCut + 1, cut);
      if (upCut > 0 && parentName !== "" && parentName !== "." && parentName !== "..") {
        let up = lastUp;
        if (up === null || up.path.length !== upCut || !path.startsWith(up.path)) {
          const upPath = path.slice(0, upCut);
          const real = dirs.get(upPath);
          up = real === undefined ? null : (lastUp = { path: upPath, real });
        }
        if (up !== null) return up.real === up.path ? path : join(up.real, [parentName, name]);
      }
    }
    const parent = path.slice(0, cut);
    const dir = dirs.get(parent);
    if (dir !== undefined) return dir === parent ? path : join(dir, [name]);
    return null;
  };

  return {
    root,
    resolve,
    known,
    changed: (path) => {
      if (dirs.has(path) || targets.has(path)) forgetAll();
    },
    forgetAll,
  };
};

/**
 * The in-memory file tree behind `MemoryFileSystem`: a flat map from normalised absolute path to
 * node, path resolution with host symlink semantics, and the entry `Change`s that mutate it. The
 * same `apply` runs live and during crash replay, so replaying every change reproduces the live
 * tree exactly; during replay a change whose precondition fails is skipped.
 */
import { posix } from "node:path";
import { Either } from "effect";
import type { FsErrorReason, Stat } from "../ports/FileSystem.js";

/**
 * `ctimeMs` is the inode's change time, as Linux keeps it: set when the node is created, renamed or
 * has its time set, and for a directory whenever an entry is added, removed or renamed in it. A
 * directory's `mtimeMs` stays its creation time (snapshots compare it), which Linux would move too.
 */
export type Node =
  | { readonly kind: "file"; readonly ino: number; readonly mtimeMs: number; readonly ctimeMs: number; readonly content: Uint8Array }
  | { readonly kind: "directory"; readonly ino: number; readonly mtimeMs: number; readonly ctimeMs: number }
  | { readonly kind: "symlink"; readonly ino: number; readonly mtimeMs: number; readonly ctimeMs: number; readonly target: string };

/** Path → node. Nodes are immutable (shared between the durable and the live tree); "/" is a directory. */
export type Tree = Map<string, Node>;

export interface Failure {
  readonly reason: FsErrorReason;
  readonly detail?: string;
}
export type Result<A> = Either.Either<A, Failure>;

const fail = (reason: FsErrorReason, detail?: string): Result<never> =>
  Either.left(detail === undefined ? { reason } : { reason, detail });
const ok: Result<void> = Either.void;

export const empty = (): Tree => new Map([["/", { kind: "directory", ino: 0, mtimeMs: 0, ctimeMs: 0 }]]);

export const normalise = (path: string): Result<string> => {
  if (!posix.isAbsolute(path)) return fail("Invalid", "path is not absolute");
  const normal = posix.normalize(path);
  return Either.right(normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal);
};

export const parentOf = (path: string): string => posix.dirname(path);

export const childrenOf = (tree: Tree, dir: string): Array<string> => {
  const prefix = dir === "/" ? "/" : `${dir}/`;
  const names: Array<string> = [];
  for (const path of tree.keys()) {
    if (path !== "/" && path.startsWith(prefix) && !path.slice(prefix.length).includes("/")) {
      names.push(path.slice(prefix.length));
    }
  }
  return names.sort();
};

const MAX_HOPS = 40;

/**
 * The real path of `path` (a normalised absolute path): every symlink in an intermediate component
 * is followed, and the last one too if `followLast`. The last component may be missing.
 */
export const resolve = (tree: Tree, path: string, followLast: boolean): Result<string> =>
  walk(tree, path, followLast, { hops: 0 });

const walk = (tree: Tree, path: string, followLast: boolean, budget: { hops: number }): Result<string> =>
  walkFrom(tree, "/", namesOf(path), followLast, budget);

const namesOf = (path: string): Array<string> => path.split("/").filter((name) => name !== "" && name !== ".");

/**
 * Walk `names` from the directory `start`. A link's target is walked name by name, as the kernel
 * does: `..` is the parent of where the walk really is (not of the link's lexical path), and a
 * name below a missing one is never reached.
 */
const walkFrom = (tree: Tree, start: string, names: ReadonlyArray<string>, followLast: boolean, budget: { hops: number }): Result<string> => {
  let dir = start;
  for (const [index, name] of names.entries()) {
    const last = index === names.length - 1;
    if (name === "..") {
      dir = posix.dirname(dir);
      continue;
    }
    const here = posix.join(dir, name);
    const node = tree.get(here);
    if (node === undefined) return last ? Either.right(here) : fail("NotFound");
    if (node.kind === "symlink" && (followLast || !last)) {
      budget.hops += 1;
      if (budget.hops > MAX_HOPS) return fail("Invalid", "too many symbolic links encountered");
      const target = walkFrom(tree, node.target.startsWith("/") ? "/" : dir, namesOf(node.target), true, budget);
      if (last || Either.isLeft(target)) return target;
      const reached = tree.get(target.right);
      if (reached === undefined) return fail("NotFound");
      if (reached.kind !== "directory") return fail("NotDirectory");
      dir = target.right;
    } else if (!last && node.kind !== "directory") {
      return fail("NotDirectory");
    } else {
      dir = here;
    }
  }
  return Either.right(dir);
};

/** Resolves and requires something there. */
export const existing = (tree: Tree, path: string, followLast: boolean): Result<readonly [string, Node]> =>
  Either.flatMap(resolve(tree, path, followLast), (real) => {
    const node = tree.get(real);
    return node === undefined ? fail("NotFound") : Either.right([real, node] as const);
  });

/** Every node lives on one device. */
export const DEVICE = 1;

export const statOf = (node: Node): Stat => ({
  kind: node.kind,
  size: node.kind === "file" ? node.content.byteLength : node.kind === "symlink" ? Buffer.byteLength(node.target) : 0,
  mtimeMs: node.mtimeMs,
  dev: DEVICE,
  ino: node.ino,
  ctimeMs: node.ctimeMs,
});

/** One change to the directory entries (or an inode's mtime), on real paths. */
export type Change =
  | { readonly _tag: "Create"; readonly path: string; readonly ino: number; readonly mtimeMs: number; readonly content: Uint8Array }
  | { readonly _tag: "Link"; readonly path: string; readonly ino: number; readonly mtimeMs: number; readonly target: string }
  | { readonly _tag: "Mkdir"; readonly path: string; readonly ino: number; readonly mtimeMs: number }
  | { readonly _tag: "Unlink"; readonly path: string; readonly atMs: number }
  | { readonly _tag: "Rmdir"; readonly path: string; readonly atMs: number }
  | { readonly _tag: "Rename"; readonly from: string; readonly to: string; readonly atMs: number }
  | { readonly _tag: "Touch"; readonly path: string; readonly ino: number; readonly mtimeMs: number; readonly atMs: number };

const parentIsDirectory = (tree: Tree, path: string): Result<void> => {
  const parent = tree.get(parentOf(path));
  return parent === undefined ? fail("NotFound") : parent.kind !== "directory" ? fail("NotDirectory") : ok;
};

/** A change of `dir`'s entries moves its change time. */
const changed = (tree: Tree, dir: string, atMs: number): void => {
  const node = tree.get(dir);
  if (node !== undefined) tree.set(dir, { ...node, ctimeMs: atMs });
};

/** Adds `node` at `path`, which must be free, in an existing directory. */
const add = (tree: Tree, path: string, node: Node): Result<void> =>
  Either.gen(function* () {
    yield* parentIsDirectory(tree, path);
    if (tree.has(path)) return yield* fail("Exists");
    tree.set(path, node);
    changed(tree, parentOf(path), node.ctimeMs);
  });

const isUnder = (path: string, dir: string): boolean => path.startsWith(dir === "/" ? "/" : `${dir}/`);

/** Checks in the order Linux does (see rename(2)), then moves `from` and everything under it. */
const rename = (tree: Tree, from: string, to: string, atMs: number): Result<void> =>
  Either.gen(function* () {
    const source = tree.get(from);
    if (source === undefined) return yield* fail("NotFound");
    yield* parentIsDirectory(tree, to);
    if (source.kind === "directory" && isUnder(to, from)) return yield* fail("Invalid");
    if (isUnder(from, to)) return yield* fail("NotEmpty");
    if (from === to) return;
    const target = tree.get(to);
    if (target !== undefined) {
      if (source.kind === "directory" && target.kind !== "directory") return yield* fail("NotDirectory");
      if (source.kind !== "directory" && target.kind === "directory") return yield* fail("IsDirectory");
      if (target.kind === "directory" && childrenOf(tree, to).length > 0) return yield* fail("NotEmpty");
    }
    const moved = [...tree.entries()].filter(([path]) => path === from || isUnder(path, from));
    tree.delete(to);
    for (const [path] of moved) tree.delete(path);
    for (const [path, node] of moved) tree.set(to + path.slice(from.length), path === from ? { ...node, ctimeMs: atMs } : node);
    changed(tree, parentOf(from), atMs);
    changed(tree, parentOf(to), atMs);
  });

/** Applies `change` to `tree` in place; on failure `tree` is left untouched. */
export const apply = (tree: Tree, change: Change): Result<void> => {
  switch (change._tag) {
    case "Create":
      return add(tree, change.path, { kind: "file", ino: change.ino, mtimeMs: change.mtimeMs, ctimeMs: change.mtimeMs, content: change.content });
    case "Link":
      return add(tree, change.path, { kind: "symlink", ino: change.ino, mtimeMs: change.mtimeMs, ctimeMs: change.mtimeMs, target: change.target });
    case "Mkdir":
      return add(tree, change.path, { kind: "directory", ino: change.ino, mtimeMs: change.mtimeMs, ctimeMs: change.mtimeMs });
    case "Unlink": {
      const node = tree.get(change.path);
      if (node === undefined) return fail("NotFound");
      if (node.kind === "directory") return fail("IsDirectory", "illegal operation on a directory");
      tree.delete(change.path);
      changed(tree, parentOf(change.path), change.atMs);
      return ok;
    }
    case "Rmdir": {
      const node = tree.get(change.path);
      if (node === undefined) return fail("NotFound");
      if (node.kind !== "directory") return fail("NotDirectory");
      if (change.path === "/") return fail("Other", "resource busy");
      if (childrenOf(tree, change.path).length > 0) return fail("NotEmpty");
      tree.delete(change.path);
      changed(tree, parentOf(change.path), change.atMs);
      return ok;
    }
    case "Rename":
      return rename(tree, change.from, change.to, change.atMs);
    case "Touch": {
      const node = tree.get(change.path);
      if (node === undefined) return fail("NotFound");
      tree.set(change.path, { ...node, mtimeMs: change.mtimeMs, ctimeMs: change.atMs });
      return ok;
    }
  }
};

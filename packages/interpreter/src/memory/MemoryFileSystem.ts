/**
 * An in-memory file system that models durability, for fault-injection and crash tests. It has the
 * same semantics and error reasons as `NodeFileSystem` (the contract suite checks both).
 *
 * Durability model. The file system keeps a durable tree (the state after the last seed or crash)
 * and a journal of the mutating operations since, each one a `Change` applied to the live tree.
 * - A change is durable once its directory entries are flushed: `fsyncDirectory(d)` (or `fsync` of
 *   a directory, which is the same syscall) flushes the entries made in `d` by writeNewFile,
 *   symlink, makeDirectory (one change per directory created), remove, removeDirectory and rename;
 *   a rename needs both parents flushed. Directories and files are identified by inode, so a flush
 *   or rename of a parent carries its pending entries along.
 * - The bytes of writeNewFile are durable once `fsync` is called on that file, whatever its path is
 *   by then (a rename moves the identity). setModifiedTime is durable once its parent directory or
 *   the node itself is flushed.
 * - `crashKeepingPrefix(n)`: the new durable (and live) tree is the replay, in journal order, from
 *   the old durable tree, of every change that is durable or among the first `n` pending ones. A
 *   writeNewFile whose entry is durable but whose bytes are not (and not kept) comes back EMPTY, as
 *   on ext4 after a crash. A replayed change whose precondition no longer holds is skipped.
 * - A fault injected with `failAt` / `failWhen` fails the operation before it has any effect.
 * Created nodes get mtimes from `options.now` (default: a deterministic clock ticking 1s per call);
 * directory mtimes are not updated by changes inside them.
 */
import { posix } from "node:path";
import { Effect, Either, Layer } from "effect";
import { FileSystem, type FileSystemService, type FsError, type FsErrorReason } from "../ports/FileSystem.js";
import * as FsErrors from "../ports/FsErrors.js";
import * as Journal from "./PendingChanges.js";
import * as MemoryTree from "./MemoryTree.js";

export type MutatingOp = Extract<
  FsErrors.FsOp,
  "writeNewFile" | "fsync" | "fsyncDirectory" | "rename" | "symlink" | "remove" | "makeDirectory" | "removeDirectory" | "setModifiedTime"
>;

/** A file-system tree as plain data, keyed by path (absolute, or relative to `under`), in sorted order. */
export type TreeEntry =
  | { readonly kind: "file"; readonly content: string | Uint8Array; readonly mtimeMs?: number }
  | { readonly kind: "directory"; readonly mtimeMs?: number }
  | { readonly kind: "symlink"; readonly target: string; readonly mtimeMs?: number };
export type Tree = Readonly<Record<string, TreeEntry>>;

export interface SnapshotOptions {
  /** Only paths strictly under this directory, keyed relative to it. */
  readonly under?: string;
  /** Include `mtimeMs` in every entry. */
  readonly mtimes?: boolean;
}

export interface LogEntry {
  /** The mutation number, as counted by `failAt`. */
  readonly n: number;
  readonly op: MutatingOp;
  readonly path: string;
  readonly to?: string;
  readonly target?: string;
  readonly error: FsErrorReason | null;
}

export interface MemoryFileSystemOptions {
  readonly seed?: Tree;
  readonly now?: () => number;
}

export interface MemoryFileSystem {
  readonly service: FileSystemService;
  readonly layer: Layer.Layer<FileSystem>;
  /** Adds absolute-path entries (creating missing parents), then makes everything durable. */
  readonly seed: (tree: Tree) => void;
  /** The live view. */
  readonly snapshot: (options?: SnapshotOptions) => Tree;
  /** The tree `crashKeepingPrefix(keep)` would leave, without crashing. */
  readonly snapshotAfterCrash: (keep: number, options?: SnapshotOptions) => Tree;
  /** The k-th mutating operation from now (k ≥ 1) fails with `reason` (default "Injected"). */
  readonly failAt: (k: number, reason?: FsErrorReason) => void;
  /** Every mutating operation matching the predicate fails, until `clearFaults`. */
  readonly failWhen: (predicate: (op: MutatingOp, path: string, to?: string) => boolean, reason?: FsErrorReason) => void;
  readonly clearFaults: () => void;
  /** Power loss keeping `keep(pendingCount)` pending changes (default none). */
  readonly crash: (keep?: (pendingCount: number) => number) => void;
  readonly crashKeepingPrefix: (n: number) => void;
  /** Makes every pending change durable (as sync(2)). */
  readonly syncAll: () => void;
  /**
   * Another program writing an existing file in place (open with O_TRUNC, write): same inode, new
   * content, mtime and ctime from the clock; durable at once. Not a port operation: switchyard
   * itself never writes in place.
   */
  readonly overwrite: (path: string, content: string | Uint8Array) => void;
  readonly pendingCount: () => number;
  readonly mutationCount: () => number;
  /** Every mutating call so far, failed ones included. */
  readonly log: () => ReadonlyArray<LogEntry>;
}

/** File content as a string when it is UTF-8 that round-trips, else the bytes. */
export const contentOf = (bytes: Uint8Array): string | Uint8Array => {
  const text = new TextDecoder().decode(bytes);
  return Buffer.from(text, "utf8").equals(bytes) ? text : bytes.slice();
};

const treeOf = (tree: MemoryTree.Tree, options: SnapshotOptions = {}): Tree => {
  const under = options.under === undefined ? "/" : mustNormalise(options.under);
  const prefix = under === "/" ? "/" : `${under}/`;
  const result: Record<string, TreeEntry> = {};
  for (const path of [...tree.keys()].sort()) {
    const node = tree.get(path);
    if (node === undefined || !path.startsWith(prefix)) continue;
    const time = options.mtimes === true ? { mtimeMs: node.mtimeMs } : {};
    const key = options.under === undefined ? path : path.slice(prefix.length);
    result[key] =
      node.kind === "file"
        ? { kind: "file", content: contentOf(node.content), ...time }
        : node.kind === "symlink"
          ? { kind: "symlink", target: node.target, ...time }
          : { kind: "directory", ...time };
  }
  return result;
};

const mustNormalise = (path: string): string =>
  Either.getOrThrowWith(MemoryTree.normalise(path), () => new Error(`not an absolute path: ${path}`));

const DEFAULT_EPOCH_MS = Date.UTC(2024, 0, 1);

export const makeMemoryFileSystem = (options: MemoryFileSystemOptions = {}): MemoryFileSystem => {
  let durable = MemoryTree.empty();
  let live = MemoryTree.empty();
  let journal: Array<Journal.Pending> = [];
  const history: Array<LogEntry> = [];
  let faults: Array<{ readonly matches: (n: number, op: MutatingOp, path: string, to?: string) => boolean; readonly reason: FsErrorReason }> = [];
  let mutations = 0;
  let nextIno = 1;
  let ticks = 0;
  const now = options.now ?? (() => DEFAULT_EPOCH_MS + 1000 * ticks++);

  const normalised = (path: string) => MemoryTree.normalise(path);
  /** The real path of an entry: intermediate links followed, the last component not. */
  const entry = (path: string) => Either.flatMap(normalised(path), (p) => MemoryTree.resolve(live, p, false));
  const existing = (path: string, followLast: boolean) =>
    Either.flatMap(normalised(path), (p) => MemoryTree.existing(live, p, followLast));
  const inoAt = (path: string): number => live.get(path)?.ino ?? -1;

  const commit = (change: MemoryTree.Change, entryDirs: ReadonlyArray<string>, content: number | null) =>
    Either.map(MemoryTree.apply(live, change), () => {
      journal.push({ change, dirs: new Set(entryDirs.map(inoAt)), content });
    });

  const flush = (ino: number): void => Journal.flush(journal, ino);

  const read = <A>(op: FsErrors.FsOp, path: string, body: () => MemoryTree.Result<A>): Effect.Effect<A, FsError> =>
    Effect.suspend(() => Either.mapLeft(body(), (f) => FsErrors.make(f.reason, op, path, { detail: f.detail })));

  const mutate = <A>(
    op: MutatingOp,
    path: string,
    extra: { readonly to?: string; readonly target?: string },
    body: () => MemoryTree.Result<A>,
  ): Effect.Effect<A, FsError> =>
    Effect.suspend(() => {
      mutations += 1;
      const n = mutations;
      const [where, to] = [posix.normalize(path), extra.to === undefined ? undefined : posix.normalize(extra.to)];
      const fault = faults.find((f) => f.matches(n, op, where, to));
      const result: MemoryTree.Result<A> = fault === undefined ? body() : Either.left({ reason: fault.reason });
      history.push({ n, op, path: where, ...extra, ...(to === undefined ? {} : { to }), error: Either.isLeft(result) ? result.left.reason : null });
      return Either.mapLeft(result, (f) => FsErrors.make(f.reason, op, path, { to: extra.to, detail: f.detail }));
    });

  const makeDirectory = (path: string): MemoryTree.Result<void> =>
    Either.gen(function* () {
      const names = (yield* normalised(path)).split("/").filter((name) => name !== "");
      let dir = "/";
      for (const [index, name] of names.entries()) {
        const lexical = posix.join(dir, name);
        const here = yield* MemoryTree.resolve(live, lexical, true);
        const node = live.get(here);
        if (node === undefined) {
          if (here !== lexical) return yield* Either.left({ reason: "NotFound" as const }); // dangling link
          let created = dir;
          for (const missing of names.slice(index)) {
            created = posix.join(created, missing);
            yield* commit({ _tag: "Mkdir", path: created, ino: nextIno++, mtimeMs: now() }, [dir], null);
            dir = created;
          }
          return;
        }
        if (node.kind !== "directory") {
          return yield* Either.left({ reason: index === names.length - 1 ? ("Exists" as const) : ("NotDirectory" as const) });
        }
        dir = here;
      }
    });

  const service: FileSystemService = {
    readFile: (path) =>
      read("readFile", path, () =>
        Either.flatMap(existing(path, true), ([, node]) =>
          node.kind === "file"
            ? Either.right(node.content.slice())
            : Either.left({ reason: "IsDirectory" as const, detail: "illegal operation on a directory" }),
        ),
      ),
    readDirectory: (path) =>
      read("readDirectory", path, () =>
        Either.flatMap(existing(path, true), ([real, node]) =>
          node.kind === "directory" ? Either.right(MemoryTree.childrenOf(live, real)) : Either.left({ reason: "NotDirectory" as const }),
        ),
      ),
    lstat: (path) => read("lstat", path, () => Either.map(existing(path, false), ([, node]) => MemoryTree.statOf(node))),
    readEntries: (path, wantTarget) =>
      read("readDirectory", path, () =>
        Either.flatMap(existing(path, true), ([real, node]) => {
          if (node.kind !== "directory") return Either.left({ reason: "NotDirectory" as const });
          const entries = MemoryTree.childrenOf(live, real).map((name) => {
            const child = live.get(posix.join(real, name)) as MemoryTree.Node;
            const stat = MemoryTree.statOf(child);
            return { name, stat, target: child.kind === "symlink" && wantTarget(name, stat) ? child.target : null };
          });
          return Either.right({ directory: MemoryTree.statOf(node), entries });
        }),
      ),
    lstatEach: (paths) =>
      Effect.sync(() =>
        paths.map((path) =>
          Either.match(existing(path, false), {
            onLeft: (f) => FsErrors.make(f.reason, "lstat", path, { detail: f.detail }),
            onRight: ([, node]) => MemoryTree.statOf(node),
          }),
        ),
      ),
    readLink: (path) =>
      read("readLink", path, () =>
        Either.flatMap(existing(path, false), ([, node]) =>
          node.kind === "symlink" ? Either.right(node.target) : Either.left({ reason: "Invalid" as const }),
        ),
      ),
    realPath: (path) => read("realPath", path, () => Either.map(existing(path, true), ([real]) => real)),
    writeNewFile: (path, data) =>
      mutate("writeNewFile", path, {}, () =>
        Either.flatMap(entry(path), (real) => {
          const ino = nextIno++;
          const change = { _tag: "Create", path: real, ino, mtimeMs: now(), content: data.slice() } as const;
          return commit(change, [MemoryTree.parentOf(real)], ino);
        }),
      ),
    fsync: (path) => mutate("fsync", path, {}, () => Either.map(existing(path, true), ([, node]) => flush(node.ino))),
    fsyncDirectory: (path) =>
      mutate("fsyncDirectory", path, {}, () =>
        Either.flatMap(existing(path, true), ([, node]) =>
          node.kind === "directory" ? Either.right(flush(node.ino)) : Either.left({ reason: "NotDirectory" as const }),
        ),
      ),
    rename: (from, to) =>
      mutate("rename", from, { to }, () =>
        Either.gen(function* () {
          const source = yield* entry(from);
          const destination = yield* entry(to);
          const dirs = [MemoryTree.parentOf(source), MemoryTree.parentOf(destination)];
          yield* commit({ _tag: "Rename", from: source, to: destination, atMs: now() }, dirs, null);
        }),
      ),
    symlink: (target, path) =>
      mutate("symlink", path, { target }, () =>
        target === ""
          ? Either.left({ reason: "NotFound" })
          : Either.flatMap(entry(path), (real) =>
              commit({ _tag: "Link", path: real, ino: nextIno++, mtimeMs: now(), target }, [MemoryTree.parentOf(real)], null),
            ),
      ),
    remove: (path) =>
      mutate("remove", path, {}, () =>
        Either.flatMap(entry(path), (real) => commit({ _tag: "Unlink", path: real, atMs: now() }, [MemoryTree.parentOf(real)], null)),
      ),
    // One mutation per path, as `remove`, so a fault or a crash can land between any two.
    removeEach: (paths, events) =>
      Effect.gen(function* () {
        for (let i = 0; i < paths.length; i++) {
          events?.before?.(i);
          const removed = yield* Effect.either(service.remove(paths[i] as string));
          if (removed._tag === "Left") return { removed: i, failure: removed.left };
          events?.after?.(i);
        }
        return { removed: paths.length, failure: null };
      }),
    makeDirectory: (path) => mutate("makeDirectory", path, {}, () => makeDirectory(path)),
    removeDirectory: (path) =>
      mutate("removeDirectory", path, {}, () =>
        Either.flatMap(entry(path), (real) => commit({ _tag: "Rmdir", path: real, atMs: now() }, [MemoryTree.parentOf(real)], null)),
      ),
    setModifiedTime: (path, mtimeMs) =>
      mutate("setModifiedTime", path, {}, () =>
        Either.flatMap(existing(path, false), ([real, node]) =>
          commit({ _tag: "Touch", path: real, ino: node.ino, mtimeMs, atMs: now() }, [MemoryTree.parentOf(real)], null),
        ),
      ),
  };

  const syncAll = (): void => {
    durable = new Map(live);
    journal = [];
  };

  const seed = (tree: Tree): void => {
    for (const key of Object.keys(tree).sort()) {
      const path = mustNormalise(key);
      const entryOf = tree[key];
      if (entryOf === undefined || path === "/") continue;
      let dir = "/";
      for (const name of MemoryTree.parentOf(path).split("/").filter((n) => n !== "")) {
        dir = posix.join(dir, name);
        const node = live.get(dir);
        if (node === undefined) {
          const at = now();
          live.set(dir, { kind: "directory", ino: nextIno++, mtimeMs: at, ctimeMs: at });
        }
        else if (node.kind !== "directory") throw new Error(`seed: ${dir} is not a directory`);
      }
      const present = live.get(path);
      if (present !== undefined && !(present.kind === "directory" && entryOf.kind === "directory")) {
        throw new Error(`seed: ${path} already exists`);
      }
      const mtimeMs = entryOf.mtimeMs ?? now();
      const ino = nextIno++;
      const ctimeMs = mtimeMs;
      live.set(
        path,
        entryOf.kind === "file"
          ? { kind: "file", ino, mtimeMs, ctimeMs, content: typeof entryOf.content === "string" ? Buffer.from(entryOf.content, "utf8") : entryOf.content.slice() }
          : entryOf.kind === "symlink"
            ? { kind: "symlink", ino, mtimeMs, ctimeMs, target: entryOf.target }
            : { kind: "directory", ino, mtimeMs, ctimeMs },
      );
    }
    syncAll();
  };

  const crashKeepingPrefix = (n: number): void => {
    durable = Journal.replay(durable, journal, n);
    live = new Map(durable);
    journal = [];
  };
  const pendingCount = (): number => journal.filter((record) => !Journal.isDurable(record)).length;

  if (options.seed !== undefined) seed(options.seed);

  return {
    service,
    layer: Layer.succeed(FileSystem, service),
    seed,
    snapshot: (snapshotOptions) => treeOf(live, snapshotOptions),
    snapshotAfterCrash: (keep, snapshotOptions) => treeOf(Journal.replay(durable, journal, keep), snapshotOptions),
    failAt: (k, reason = "Injected") => {
      const at = mutations + k;
      faults.push({ matches: (n) => n === at, reason });
    },
    failWhen: (predicate, reason = "Injected") => {
      faults.push({ matches: (_n, op, path, to) => predicate(op, path, to), reason });
    },
    clearFaults: () => {
      faults = [];
    },
    crash: (keep = () => 0) => crashKeepingPrefix(keep(pendingCount())),
    crashKeepingPrefix,
    syncAll,
    overwrite: (path, content) => {
      const real = mustNormalise(path);
      const node = live.get(real);
      if (node === undefined || node.kind !== "file") throw new Error(`overwrite: ${real} is not a file`);
      const at = now();
      const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content.slice();
      const replaced = { ...node, content: bytes, mtimeMs: at, ctimeMs: at };
      live.set(real, replaced);
      durable.set(real, replaced);
    },
    pendingCount,
    mutationCount: () => mutations,
    log: () => [...history],
  };
};

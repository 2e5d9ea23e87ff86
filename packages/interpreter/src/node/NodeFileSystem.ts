/**
 * The live file-system layer: each port primitive is one `node:fs` call (or open + call + close),
 * so that what `Durable.ts` composes is exactly what the kernel promises. Errors are mapped to
 * `FsError` reasons by errno (see `internal/FsErrors.ts`); nothing is retried or hidden.
 *
 * The calls are synchronous on purpose: a command reads thousands of small, cached links and
 * manifests, and a round trip through libuv's thread pool per call costs more than the call itself
 * (see docs/benchmarks.md). No span per call either, for the same reason.
 */
import * as fs from "node:fs";
import { Effect, Layer } from "effect";
import { type DirectoryEntry, FileSystem, type FileKind, type FileSystemService, FsError, type Stat } from "../ports/FileSystem.js";
import * as FsErrors from "../ports/FsErrors.js";

const attempt = <A>(op: FsErrors.FsOp, path: string, run: () => A, to?: string): Effect.Effect<A, FsError> =>
  Effect.try({ try: run, catch: (cause) => FsErrors.fromNode(cause, op, path, to) });

/** Opens `path` read-only with `flags` and fsyncs the descriptor. */
const syncOpened = (op: FsErrors.FsOp, path: string, flags: number): Effect.Effect<void, FsError> =>
  attempt(op, path, () => {
    const fd = fs.openSync(path, flags);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  });

const kindOf = (stats: fs.Stats): FileKind =>
  stats.isFile() ? "file" : stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : "other";

const statOf = (stats: fs.Stats): Stat => ({
  kind: kindOf(stats),
  size: stats.size,
  mtimeMs: stats.mtimeMs,
  dev: stats.dev,
  ino: stats.ino,
  ctimeMs: stats.ctimeMs,
});

const gone = (cause: unknown): boolean => (cause as NodeJS.ErrnoException | null)?.code === "ENOENT";

/**
 * The directory's stat (through a link to it: its entries are what changes), then each entry's lstat, and the targets asked for: a plain loop of synchronous
 * calls. An entry removed meanwhile is left out; one replaced by a non-link is reported as it is now.
 */
const readEntries = (path: string, wantTarget: (name: string, stat: Stat) => boolean) =>
  Effect.try({
    try: () => {
      const directory = statOf(fs.statSync(path));
      const names = fs.readdirSync(path).sort();
      const entries: Array<DirectoryEntry> = [];
      for (const name of names) {
        const full = `${path}/${name}`;
        let op: FsErrors.FsOp = "lstat";
        try {
          const first = fs.lstatSync(full, { throwIfNoEntry: false });
          if (first === undefined) continue;
          let stat = statOf(first);
          let target: string | null = null;
          if (stat.kind === "symlink" && wantTarget(name, stat)) {
            op = "readLink";
            try {
              target = fs.readlinkSync(full);
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== "EINVAL") throw e;
              op = "lstat";
              stat = statOf(fs.lstatSync(full));
            }
          }
          entries.push({ name, stat, target });
        } catch (e) {
          if (!gone(e)) throw FsErrors.fromNode(e, op, full);
        }
      }
      return { directory, entries };
    },
    catch: (cause) => (cause instanceof FsError ? cause : FsErrors.fromNode(cause, "readDirectory", path)),
  });

/** A missing path (the common miss) is told without an exception, with the words errno would give. */
const lstatEach = (paths: ReadonlyArray<string>) =>
  Effect.sync(() => {
    const out: Array<Stat | FsError> = new Array(paths.length);
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i] as string;
      try {
        const stats = fs.lstatSync(path, { throwIfNoEntry: false });
        out[i] = stats === undefined ? FsErrors.make("NotFound", "lstat", path, { detail: "no such file or directory" }) : statOf(stats);
      } catch (e) {
        out[i] = FsErrors.fromNode(e, "lstat", path);
      }
    }
    return out;
  });

const writeNewFile = (path: string, data: Uint8Array, mode?: number): Effect.Effect<void, FsError> =>
  attempt("writeNewFile", path, () => {
    const fd = fs.openSync(path, "wx", mode ?? 0o666);
    try {
      let written = 0;
      while (written < data.byteLength) written += fs.writeSync(fd, data, written, data.byteLength - written);
    } catch (e) {
      // The file is ours (exclusive create): do not leave a partial one behind.
      fs.closeSync(fd);
      fs.rmSync(path, { force: true });
      throw e;
    }
    fs.closeSync(fd);
  });

export const nodeFileSystem: FileSystemService = {
  readFile: (path) =>
    attempt("readFile", path, () => {
      const buffer = fs.readFileSync(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }),
  readDirectory: (path) => attempt("readDirectory", path, () => fs.readdirSync(path).sort()),
  lstat: (path) =>
    attempt("lstat", path, () => {
      return statOf(fs.lstatSync(path));
    }),
  readEntries,
  lstatEach,
  readLink: (path) => attempt("readLink", path, () => fs.readlinkSync(path)),
  realPath: (path) => attempt("realPath", path, () => fs.realpathSync.native(path)),
  writeNewFile,
  fsync: (path) => syncOpened("fsync", path, fs.constants.O_RDONLY),
  fsyncDirectory: (path) => syncOpened("fsyncDirectory", path, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY),
  rename: (from, to) => attempt("rename", from, () => fs.renameSync(from, to), to),
  // symlink(2) fails with EEXIST whatever is at `path`, even a dangling link.
  symlink: (target, path) => attempt("symlink", path, () => fs.symlinkSync(target, path)),
  remove: (path) => attempt("remove", path, () => fs.unlinkSync(path)),
  removeEach: (paths, events) =>
    Effect.sync(() => {
      for (let i = 0; i < paths.length; i++) {
        const path = paths[i] as string;
        events?.before?.(i);
        try {
          fs.unlinkSync(path);
        } catch (cause) {
          return { removed: i, failure: FsErrors.fromNode(cause, "remove", path) };
        }
        events?.after?.(i);
      }
      return { removed: paths.length, failure: null };
    }),
  // Like mkdir(2), a path through a dangling link reports ENOENT.
  makeDirectory: (path) => attempt("makeDirectory", path, () => void fs.mkdirSync(path, { recursive: true })),
  removeDirectory: (path) => attempt("removeDirectory", path, () => fs.rmdirSync(path)),
  // lutimes: the link's own times, never its target's. Node takes seconds; atime follows mtime.
  setModifiedTime: (path, mtimeMs) => attempt("setModifiedTime", path, () => fs.lutimesSync(path, mtimeMs / 1000, mtimeMs / 1000)),
};

export const NodeFileSystemLive: Layer.Layer<FileSystem> = Layer.succeed(FileSystem, nodeFileSystem);

/**
 * The live file-system layer: each port primitive is one `node:fs` call (or open + call + close),
 * so that what `Durable.ts` composes is exactly what the kernel promises. Errors are mapped to
 * `FsError` reasons by errno (see `internal/FsErrors.ts`); nothing is retried or hidden.
 */
import { constants, mkdirSync } from "node:fs";
import * as fsp from "node:fs/promises";
import { Effect, Layer } from "effect";
import { FileSystem, type FileKind, type FileSystemService, type FsError } from "./ports/FileSystem.js";
import * as FsErrors from "./internal/FsErrors.js";

const attempt = <A>(op: FsErrors.FsOp, path: string, run: () => Promise<A>, to?: string): Effect.Effect<A, FsError> =>
  Effect.tryPromise({ try: run, catch: (cause) => FsErrors.fromNode(cause, op, path, to) }).pipe(
    Effect.withSpan(`FileSystem.${op}`, { attributes: { path } }),
  );

// A close after the bytes were handed to the kernel (or after a failure) has nothing left to report.
const close = (handle: fsp.FileHandle): Effect.Effect<void> => Effect.promise(() => handle.close().catch(() => undefined));

/** Opens `path` read-only with `flags` and fsyncs the descriptor. */
const syncOpened = (op: FsErrors.FsOp, path: string, flags: number): Effect.Effect<void, FsError> =>
  Effect.acquireUseRelease(
    attempt(op, path, () => fsp.open(path, flags)),
    (handle) => attempt(op, path, () => handle.sync()),
    close,
  );

const kindOf = (stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileKind =>
  stats.isFile() ? "file" : stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : "other";

const writeNewFile = (path: string, data: Uint8Array, mode?: number): Effect.Effect<void, FsError> =>
  Effect.acquireUseRelease(
    attempt("writeNewFile", path, () => fsp.open(path, "wx", mode ?? 0o666)),
    (handle) =>
      attempt("writeNewFile", path, () => handle.writeFile(data)).pipe(
        // The file is ours (exclusive create): do not leave a partial one behind.
        Effect.tapError(() => Effect.promise(() => fsp.unlink(path).catch(() => undefined))),
      ),
    close,
  );

const service: FileSystemService = {
  readFile: (path) =>
    attempt("readFile", path, () => fsp.readFile(path)).pipe(
      Effect.map((buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)),
    ),
  readDirectory: (path) =>
    attempt("readDirectory", path, () => fsp.readdir(path)).pipe(Effect.map((names) => [...names].sort())),
  lstat: (path) =>
    attempt("lstat", path, () => fsp.lstat(path)).pipe(
      Effect.map((stats) => ({ kind: kindOf(stats), size: stats.size, mtimeMs: stats.mtimeMs })),
    ),
  readLink: (path) => attempt("readLink", path, () => fsp.readlink(path)),
  realPath: (path) => attempt("realPath", path, () => fsp.realpath(path)),
  writeNewFile,
  fsync: (path) => syncOpened("fsync", path, constants.O_RDONLY),
  fsyncDirectory: (path) => syncOpened("fsyncDirectory", path, constants.O_RDONLY | constants.O_DIRECTORY),
  rename: (from, to) => attempt("rename", from, () => fsp.rename(from, to), to),
  // symlink(2) fails with EEXIST whatever is at `path`, even a dangling link.
  symlink: (target, path) => attempt("symlink", path, () => fsp.symlink(target, path)),
  remove: (path) => attempt("remove", path, () => fsp.unlink(path)),
  // Sync on purpose: Node 20's async recursive mkdir reports ENOTDIR for a path through a dangling
  // link, where the sync one (like mkdir(2)) reports ENOENT.
  makeDirectory: (path) =>
    Effect.try({
      try: () => void mkdirSync(path, { recursive: true }),
      catch: (cause) => FsErrors.fromNode(cause, "makeDirectory", path),
    }).pipe(Effect.withSpan("FileSystem.makeDirectory", { attributes: { path } })),
  removeDirectory: (path) => attempt("removeDirectory", path, () => fsp.rmdir(path)),
  // lutimes: the link's own times, never its target's. Node takes seconds; atime follows mtime.
  setModifiedTime: (path, mtimeMs) =>
    attempt("setModifiedTime", path, () => fsp.lutimes(path, mtimeMs / 1000, mtimeMs / 1000)),
};

export const NodeFileSystemLive: Layer.Layer<FileSystem> = Layer.succeed(FileSystem, service);

/**
 * Atomic, durable changes built from the file-system port's primitives, the only implementation of
 * each in the interpreter:
 * - a file: exclusive temp sibling, write, fsync, rename over, fsync the directory;
 * - a symlink: new link at a temp name, rename over, fsync the directory;
 * - a directory: built complete under a hidden name (files and directories fsynced), then renamed;
 * - a tree removal: depth first, never following a symlink, each directory flushed before it goes;
 * - missing parent directories: created, and each new one flushed into its parent.
 * A crash at any point leaves either the old or the new object at the path, plus perhaps a temp
 * sibling that `TempName.isTemp` recognises (and recovery removes). Each operation is idempotent.
 */
import { TempName } from "@switchyard/model";
import { Effect } from "effect";
import * as Failpoint from "./Failpoint.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import * as FsErrors from "../ports/FsErrors.js";
import { basenameOf, dirnameOf } from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

let counter = 0;

/** A temp sibling of `path`, unique within this process and across processes (pid). */
const tempFor = (path: string): string => `${dirnameOf(path)}/${TempName.of(basenameOf(path), `${process.pid}-${++counter}`)}`;

/** True for names this module creates, so they are never mistaken for real files. */
export const isTempName = TempName.isTemp;

/**
 * Make `dir` exist durably: directories created on the way are flushed into their parents, or a
 * crash could take a fresh directory (a new ESP's `loader/entries`) and everything in it away.
 */
export const ensureDirectory = Effect.fn("ensureDirectory")(function* (dir: string) {
  const fs = yield* FileSystem;
  const missing: Array<string> = [];
  for (let d = dir; d !== "/" && d !== ""; d = dirnameOf(d)) {
    const present = yield* fs.lstat(d).pipe(
      Effect.as(true),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(false)),
    );
    if (present) break;
    missing.push(d);
  }
  yield* fs.makeDirectory(dir);
  for (const created of missing.reverse()) yield* fs.fsyncDirectory(dirnameOf(created));
});

/** Names tried before giving up when every temp name is taken. */
const TEMP_ATTEMPTS = 100;

/**
 * Create something at a fresh temp sibling of `path` and return its name. A temp name that is
 * taken (a crash's leftover, a directory, anything: pids repeat, in a container every boot) is
 * skipped, never removed or written through, so a leftover can never block a later run.
 */
const atFreshTemp = (path: string, create: (temp: string) => Effect.Effect<void, FsError>) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < TEMP_ATTEMPTS; attempt++) {
      const temp = tempFor(path);
      const made = yield* Effect.either(create(temp));
      if (made._tag === "Right") return temp;
      if (made.left.reason !== "Exists") return yield* Effect.fail(made.left);
    }
    return yield* Effect.fail(
      FsErrors.make("Exists", "writeNewFile", path, {
        detail: `the next ${TEMP_ATTEMPTS} temp names next to it are all taken by leftovers; run 'switchyard recover' to remove them`,
      }),
    );
  });

export const writeFile = Effect.fn("writeFileAtomic")(function* (path: string, content: Uint8Array, mode?: number) {
  const fs = yield* FileSystem;
  const dir = dirnameOf(path);
  yield* ensureDirectory(dir);
  const temp = yield* atFreshTemp(path, (t) => fs.writeNewFile(t, content, mode));
  const cleanup = (e: FsError) => fs.remove(temp).pipe(Effect.ignore, Effect.zipRight(Effect.fail(e)));
  yield* fs.fsync(temp).pipe(Effect.catchAll(cleanup));
  yield* Failpoint.hit("write:temp-durable");
  yield* fs.rename(temp, path).pipe(Effect.catchAll(cleanup));
  yield* Failpoint.hit("write:renamed");
  yield* fs.fsyncDirectory(dir);
});

/**
 * Write `content` to a fresh temp sibling of `path` and flush it (its directory is the caller's to
 * flush, once for many): the staged half of `writeFile`, whose `moveInto` is the other half.
 * Returns the sibling's name.
 */
export const stageFile = Effect.fn("stageFile")(function* (path: string, content: Uint8Array) {
  const fs = yield* FileSystem;
  yield* ensureDirectory(dirnameOf(path));
  const temp = yield* atFreshTemp(path, (t) => fs.writeNewFile(t, content));
  yield* fs.fsync(temp).pipe(Effect.catchAll((e) => fs.remove(temp).pipe(Effect.ignore, Effect.zipRight(Effect.fail(e)))));
  return basenameOf(temp);
});

/**
 * Put the flushed file `staged` (a temp sibling) at `path`: rename it over, flush the directory.
 * When it is gone (an earlier run moved it already), write `content` the ordinary way instead.
 */
export const moveInto = Effect.fn("moveIntoPlace")(function* (staged: string, path: string, content: Uint8Array) {
  const fs = yield* FileSystem;
  const moved = yield* fs.rename(staged, path).pipe(
    Effect.as(true),
    Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(false)),
  );
  if (!moved) return yield* writeFile(path, content);
  yield* Failpoint.hit("write:renamed");
  yield* fs.fsyncDirectory(dirnameOf(path));
});

export const replaceSymlink = Effect.fn("replaceSymlinkAtomic")(function* (path: string, target: string, mtimeMs?: number) {
  const fs = yield* FileSystem;
  const dir = dirnameOf(path);
  yield* ensureDirectory(dir);
  const temp = yield* atFreshTemp(path, (t) => fs.symlink(target, t));
  const cleanup = (e: FsError) => fs.remove(temp).pipe(Effect.ignore, Effect.zipRight(Effect.fail(e)));
  if (mtimeMs !== undefined) yield* fs.setModifiedTime(temp, mtimeMs).pipe(Effect.catchAll(cleanup));
  yield* Failpoint.hit("symlink:temp-created");
  yield* fs.rename(temp, path).pipe(Effect.catchAll(cleanup));
  yield* Failpoint.hit("symlink:renamed");
  yield* fs.fsyncDirectory(dir);
});

/** Remove a link, not yet durably (the caller flushes its directory); a link already gone is fine. */
export const unlink = (path: string) =>
  Effect.flatMap(FileSystem, (fs) => fs.remove(path).pipe(Effect.catchIf((e) => e.reason === "NotFound", () => Effect.void)));

/** Remove a link durably; a link that is already gone is fine (the step is idempotent). */
export const removeLink = Effect.fn("removeLinkDurable")(function* (path: string) {
  const fs = yield* FileSystem;
  yield* fs.remove(path).pipe(Effect.catchIf((e) => e.reason === "NotFound", () => Effect.void));
  yield* fs.fsyncDirectory(dirnameOf(path));
});

export interface StagedFile {
  /** Relative to the staged directory; its parent directories are created. */
  readonly name: string;
  readonly content: Uint8Array;
  readonly mode?: number;
}

/**
 * Create the directory `dir` (which must not exist yet) holding `files`, every file and directory
 * flushed, so that one rename makes it appear complete. The caller picks a hidden name and renames.
 */
export const stageDirectory = Effect.fn("stageDirectory")(function* (dir: string, files: ReadonlyArray<StagedFile>) {
  const fs = yield* FileSystem;
  const directories = new Set<string>([dir]);
  for (const f of files) for (let d = dirnameOf(`${dir}/${f.name}`); d.length > dir.length; d = dirnameOf(d)) directories.add(d);
  // Deepest first when flushing: a directory's entries are durable before its parent's are.
  const deepestFirst = [...directories].sort((a, b) => b.length - a.length);
  for (const d of [...deepestFirst].reverse()) yield* fs.makeDirectory(d);
  for (const f of files) {
    yield* fs.writeNewFile(`${dir}/${f.name}`, f.content, f.mode);
    yield* fs.fsync(`${dir}/${f.name}`);
  }
  for (const d of deepestFirst) yield* fs.fsyncDirectory(d);
});

/**
 * Remove whatever is at `path` (a whole directory tree, a file, a link; nothing is fine) and flush
 * its parent. A symlink is removed as a link and never followed, wherever it is in the tree, so a
 * planted link can never make this remove anything outside `path`.
 */
export const removeTree = Effect.fn("removeTree")(function* (path: string) {
  const fs = yield* FileSystem;
  if (yield* removeEntry(path)) yield* fs.fsyncDirectory(dirnameOf(path));
});

/**
 * Remove whatever is at `path` like `removeTree`, without flushing anything: for what may come back
 * after a crash without harm (a journal already renamed out of the way, which recovery removes).
 */
export const discardTree = Effect.fn("discardTree")(function* (path: string) {
  yield* removeEntry(path, false);
});

/** Whether something was there to remove. */
const removeEntry = (path: string, flush = true): Effect.Effect<boolean, FsError, FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const stat = yield* fs.lstat(path).pipe(
      Absent.orNull,
    );
    if (stat === null) return false;
    if (stat.kind !== "directory") {
      yield* fs.remove(path);
      return true;
    }
    const names = yield* fs.readDirectory(path);
    for (const name of names) yield* removeEntry(`${path}/${name}`, flush);
    // The removals inside are made durable before the directory goes, so a crash cannot bring back
    // a directory whose entries are gone, or entries of a directory that is gone.
    if (flush && names.length > 0) yield* fs.fsyncDirectory(path);
    yield* fs.removeDirectory(path);
    return true;
  });

/**
 * Atomic, durable writes built from the file-system port's primitives:
 * - a file: exclusive temp file in the same directory, write, fsync, rename over, fsync the directory;
 * - a symlink: new link at a temp name, rename over, fsync the directory.
 * A crash at any point leaves either the old or the new object at the path, plus perhaps a temp
 * sibling that `isTempName` recognises (and recovery removes). Each operation is idempotent.
 */
import { Effect } from "effect";
import * as Failpoint from "./Failpoint.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import { basenameOf, dirnameOf } from "../root/Root.js";

const TEMP_MARK = ".switchyard-tmp-";
let counter = 0;

/** A temp sibling of `path`, unique within this process and across processes (pid). */
const tempFor = (path: string): string => `${dirnameOf(path)}/.${basenameOf(path)}${TEMP_MARK}${process.pid}-${++counter}`;

/** True for names this module creates, so they are never mistaken for real files. */
export const isTempName = (name: string): boolean => name.startsWith(".") && name.includes(TEMP_MARK);

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

export const writeFile = Effect.fn("writeFileAtomic")(function* (path: string, content: Uint8Array) {
  const fs = yield* FileSystem;
  const dir = dirnameOf(path);
  yield* ensureDirectory(dir);
  const temp = tempFor(path);
  yield* fs.writeNewFile(temp, content).pipe(Effect.tapError(() => fs.remove(temp).pipe(Effect.ignore)));
  yield* fs.fsync(temp).pipe(Effect.tapError(() => fs.remove(temp).pipe(Effect.ignore)));
  yield* Failpoint.hit("write:temp-durable");
  yield* fs.rename(temp, path).pipe(Effect.tapError(() => fs.remove(temp).pipe(Effect.ignore)));
  yield* Failpoint.hit("write:renamed");
  yield* fs.fsyncDirectory(dir);
});

export const replaceSymlink = Effect.fn("replaceSymlinkAtomic")(function* (path: string, target: string, mtimeMs?: number) {
  const fs = yield* FileSystem;
  const dir = dirnameOf(path);
  yield* ensureDirectory(dir);
  const temp = tempFor(path);
  const cleanup = (e: FsError) => fs.remove(temp).pipe(Effect.ignore, Effect.zipRight(Effect.fail(e)));
  yield* fs.symlink(target, temp);
  if (mtimeMs !== undefined) yield* fs.setModifiedTime(temp, mtimeMs).pipe(Effect.catchAll(cleanup));
  yield* Failpoint.hit("symlink:temp-created");
  yield* fs.rename(temp, path).pipe(Effect.catchAll(cleanup));
  yield* Failpoint.hit("symlink:renamed");
  yield* fs.fsyncDirectory(dir);
});

/** Remove a link durably; a link that is already gone is fine (the step is idempotent). */
export const removeLink = Effect.fn("removeLinkDurable")(function* (path: string) {
  const fs = yield* FileSystem;
  yield* fs.remove(path).pipe(Effect.catchIf((e) => e.reason === "NotFound", () => Effect.void));
  yield* fs.fsyncDirectory(dirnameOf(path));
});

/**
 * The two file steps only boot menus need. Both are idempotent, so `recover` can run them again:
 * a copy whose content-addressed name is already there is done (the ESP is small and slow, and
 * the name says what is in it); a rename whose source is gone and whose destination is there is done.
 */
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import { dirnameOf } from "../root/Root.js";

const absent = <A>(e: FsError): Effect.Effect<A | null, FsError> => (e.reason === "NotFound" ? Effect.succeed(null) : Effect.fail(e));

/** Copy `source` to `path` durably (temp file, fsync, rename, fsync the directory) unless `path` exists. */
export const install = Effect.fn("installBootFile")(function* (source: string, path: string) {
  const fs = yield* FileSystem;
  if ((yield* fs.lstat(path).pipe(Effect.catchAll(absent))) !== null) return;
  const bytes = yield* fs.readFile(source);
  yield* Durable.writeFile(path, bytes);
});

/** Rename `from` to `path` and make it durable. */
export const rename = Effect.fn("renameBootFile")(function* (from: string, path: string) {
  const fs = yield* FileSystem;
  const source = yield* fs.lstat(from).pipe(Effect.catchAll(absent));
  if (source === null) {
    // Already renamed (a crash after the rename, before the journal said so): nothing is left to do.
    yield* fs.lstat(path);
    return;
  }
  yield* fs.rename(from, path);
  yield* fs.fsyncDirectory(dirnameOf(path));
});

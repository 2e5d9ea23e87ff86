/**
 * Make what a program wrote durable: tar writes without fsync, so every file and directory of a
 * tree it made is flushed through the file-system port (files first, each directory after its
 * entries) before the tree is renamed into place. Symlinks are never followed.
 */
import { Effect } from "effect";
import { FileSystem, type FsError } from "../ports/FileSystem.js";

export const tree = (path: string): Effect.Effect<void, FsError, FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const stat = yield* fs.lstat(path);
    if (stat.kind === "file") return yield* fs.fsync(path);
    if (stat.kind !== "directory") return;
    for (const name of yield* fs.readDirectory(path)) yield* tree(`${path}/${name}`);
    yield* fs.fsyncDirectory(path);
  });

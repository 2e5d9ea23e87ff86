/**
 * The generations index on disk (`/var/lib/switchyard/generations-index.json`, see the model's
 * `GenerationsIndex`): read it if it is there and decodes, write it when an observation repaired
 * it. It is a cache, so it is written atomically (temp sibling, rename) but not flushed: after a
 * crash it is the old one, a new one or absent, and each is checked against the disk before use.
 * Nothing here fails a command: an index that cannot be read or written is simply not used.
 */
import { GenerationsIndex, InRootPath, TempName, World } from "@switchyard/model";
import { Effect } from "effect";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export const PATH = `${World.Paths.stateDir}/generations-index.json` as InRootPath.InRootPath;
export const NAME = InRootPath.basename(PATH);

export interface Loaded {
  readonly index: GenerationsIndex.Index;
  /** See `GenerationsIndex.horizon`. */
  readonly horizonMs: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The index and its horizon, or null when there is none that decodes. */
export const read = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, PATH);
    const stat = yield* fs.lstat(host).pipe(Effect.option);
    if (stat._tag === "None" || stat.value.kind !== "file") return null;
    const bytes = yield* fs.readFile(host).pipe(Effect.option);
    if (bytes._tag === "None") return null;
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(bytes.value));
    } catch {
      return null;
    }
    const index = GenerationsIndex.decode(json);
    // Read after its lstat, the content is at least as new as that mtime: the horizon errs early.
    return index._tag === "Left" ? null : ({ index: index.right, horizonMs: GenerationsIndex.horizon(index.right, stat.value.mtimeMs) } satisfies Loaded);
  });

let writes = 0;

/** Replace the index with `index`; any failure (read-only root, no state directory) leaves it be. */
export const write = (root: Root.Root, index: GenerationsIndex.Index) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, PATH);
    const temp = `${Root.dirnameOf(host)}/${TempName.of(NAME, `${process.pid}-i${++writes}`)}`;
    const bytes = new TextEncoder().encode(JSON.stringify(GenerationsIndex.encode(index)));
    yield* fs.writeNewFile(temp, bytes).pipe(
      Effect.zipRight(fs.rename(temp, host)),
      Effect.catchAll(() => fs.remove(temp).pipe(Effect.ignore)),
    );
  });

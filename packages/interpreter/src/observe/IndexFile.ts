/**
 * The generations index on disk (`/var/lib/switchyard/generations-index.json` and the columns file
 * it names, `generations-index.columns`, framed by `ColumnsFile`; see the model's
 * `GenerationsIndex`): read them if they are there and decode as one, write them when an
 * observation repaired the index. It is a cache, so each file is written atomically (temp sibling,
 * rename) but not flushed, the columns before the top: after a crash each is the old one, a new one
 * or absent, and a top naming other columns than those there is no index. Nothing here fails a
 * command: an index that cannot be read or written is simply not used.
 */
import { GenerationsIndex, InRootPath, TempName, World } from "@switchyard/model";
import { Effect } from "effect";
import { Clock } from "../ports/Clock.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as ColumnsFile from "./ColumnsFile.js";

export const PATH = `${World.Paths.stateDir}/generations-index.json` as InRootPath.InRootPath;
export const NAME = InRootPath.basename(PATH);
export const COLUMNS_PATH = `${World.Paths.stateDir}/generations-index.columns` as InRootPath.InRootPath;
export const COLUMNS_NAME = InRootPath.basename(COLUMNS_PATH);
/** The JSON columns of format version 2, removed once columns of this version are written. */
export const V2_COLUMNS_PATH = `${World.Paths.stateDir}/generations-index.columns.json` as InRootPath.InRootPath;

export interface Loaded {
  readonly index: GenerationsIndex.Index;
  /** See `GenerationsIndex.horizon`. */
  readonly horizonMs: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

const parse = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
};

/** The index and its horizon, or null when there is none that decodes. */
export const read = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, PATH);
    const stat = yield* fs.lstat(host).pipe(Effect.option);
    if (stat._tag === "None" || stat.value.kind !== "file") return null;
    const top = yield* fs.readFile(host).pipe(Effect.option);
    if (top._tag === "None") return null;
    const topJson = parse(top.value);
    // Another version's top (or none) names no columns: they are not read at all.
    if (GenerationsIndex.columnsIdOf(topJson) === null) return null;
    const columns = yield* fs.readFile(Root.host(root, COLUMNS_PATH)).pipe(Effect.option);
    if (columns._tag === "None") return null;
    const framed = ColumnsFile.decode(columns.value);
    if (framed === null) return null;
    const index = GenerationsIndex.decode(topJson, framed);
    // Read after its lstat, the top is at least as new as that mtime: the horizon errs early.
    return index._tag === "Left" ? null : ({ index: index.right, horizonMs: GenerationsIndex.horizon(index.right, stat.value.mtimeMs) } satisfies Loaded);
  });

let writes = 0;

/** `bytes` in place of `path`, atomically; false when that could not be done (the temp file is gone again). */
const replace = (path: string, name: string, bytes: Uint8Array) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const temp = `${Root.dirnameOf(path)}/${TempName.of(name, `${process.pid}-i${++writes}`)}`;
    return yield* fs.writeNewFile(temp, bytes).pipe(
      Effect.zipRight(fs.rename(temp, path)),
      Effect.as(true),
      Effect.catchAll(() => fs.remove(temp).pipe(Effect.ignore, Effect.as(false))),
    );
  });

const encoder = new TextEncoder();

/**
 * Replace the index with `index`, observed from `startedMs` on: its columns first, under a new id,
 * unless they are the ones read (only the top changed), then the top naming them, with the span
 * measured just before it is written (so that its mtime minus the span is no later than
 * `startedMs`, however long the columns took). Any failure (read-only root, no state directory)
 * leaves it be.
 */
export const write = (root: Root.Root, index: GenerationsIndex.Unwritten, startedMs: number) =>
  Effect.gen(function* () {
    const clock = yield* Clock;
    let id = index.columnsId;
    if (id === null) {
      // Unique among the writers that can race here (processes alive at once) and over time.
      id = `${process.pid}-${writes + 1}-${index.directory.ino}-${index.directory.ctimeMs}`;
      const columns = GenerationsIndex.encodeColumns(index, id);
      const bytes = columns === null ? null : ColumnsFile.encode(columns);
      if (bytes === null || !(yield* replace(Root.host(root, COLUMNS_PATH), COLUMNS_NAME, bytes))) return;
      yield* (yield* FileSystem).remove(Root.host(root, V2_COLUMNS_PATH)).pipe(Effect.ignore);
    }
    const spanMs = (yield* clock.nowMs) - startedMs + 1;
    yield* replace(Root.host(root, PATH), NAME, encoder.encode(JSON.stringify(GenerationsIndex.encodeTop(index, id, spanMs))));
  });

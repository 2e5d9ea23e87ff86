/**
 * The files of an s6 service directory, through the file-system port. A new directory is built
 * complete under a dot name inside the scan directory (s6-svscan ignores dot entries), its files
 * fsynced, then renamed to the service's name, so the supervisor never sees half a service. An
 * existing one has its `run` script and `data/switchyard.json` replaced one atomic rename at a
 * time (the running s6-supervise keeps its directory). Removal is durable: the directory's entries,
 * then the directory, then an fsync of the scan directory.
 */
import { S6Service } from "@switchyard/model";
import { Effect } from "effect";
import { FileSystem, type FsError } from "../../ports/FileSystem.js";
import { basenameOf, dirnameOf } from "../../root/Root.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TEMP_MARK = ".switchyard-";
let counter = 0;

/** A dot name for `name`'s directory in the scan directory, unique in this process and across processes. */
export const hiddenName = (name: string, purpose: "new" | "gone"): string => `.${name}${TEMP_MARK}${purpose}-${process.pid}-${++counter}`;

/** True for dot entries this module made for `name` (left behind by a crash). */
export const isLeftoverOf = (entry: string, name: string): boolean => entry.startsWith(`.${name}${TEMP_MARK}`);

/** Write one file at a temp name in its directory, fsync it, rename it over `path`. */
const writeAtomic = (path: string, text: string, mode: number) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const temp = `${dirnameOf(path)}/.${basenameOf(path)}${TEMP_MARK}tmp-${process.pid}-${++counter}`;
    const cleanup = (e: FsError) => fs.remove(temp).pipe(Effect.ignore, Effect.zipRight(Effect.fail(e)));
    yield* fs.writeNewFile(temp, encoder.encode(text), mode);
    yield* fs.fsync(temp).pipe(Effect.catchAll(cleanup));
    yield* fs.rename(temp, path).pipe(Effect.catchAll(cleanup));
  });

/** Build `scan/NAME` from nothing: complete under a dot name first, then renamed into place. */
export const create = (scan: string, name: string, rendered: S6Service.Rendered) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const temp = `${scan}/${hiddenName(name, "new")}`;
    yield* fs.makeDirectory(`${temp}/${S6Service.DATA_DIR}`);
    yield* fs.writeNewFile(`${temp}/${S6Service.RUN_FILE}`, encoder.encode(rendered.run), 0o755);
    yield* fs.writeNewFile(`${temp}/${S6Service.DATA_FILE}`, encoder.encode(rendered.data), 0o644);
    yield* fs.fsync(`${temp}/${S6Service.RUN_FILE}`);
    yield* fs.fsync(`${temp}/${S6Service.DATA_FILE}`);
    yield* fs.fsyncDirectory(`${temp}/${S6Service.DATA_DIR}`);
    yield* fs.fsyncDirectory(temp);
    yield* fs.rename(temp, `${scan}/${name}`);
    yield* fs.fsyncDirectory(scan);
  });

/** Put `rendered` in place in an existing service directory, one atomic rename per file. */
export const replace = (dir: string, rendered: S6Service.Rendered) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    yield* fs.makeDirectory(`${dir}/${S6Service.DATA_DIR}`);
    // The script first: a crash in between leaves the new script under the old revision, which the
    // next start or restart (comparing revisions) will put right.
    yield* writeAtomic(`${dir}/${S6Service.RUN_FILE}`, rendered.run, 0o755);
    yield* writeAtomic(`${dir}/${S6Service.DATA_FILE}`, rendered.data, 0o644);
    yield* fs.fsyncDirectory(`${dir}/${S6Service.DATA_DIR}`);
    yield* fs.fsyncDirectory(dir);
  });

export const exists = (path: string) =>
  Effect.flatMap(FileSystem, (fs) => fs.lstat(path).pipe(Effect.map((s) => s.kind === "directory"), Effect.orElseSucceed(() => false)));

/** What the directory says it runs, or null when it cannot say. */
export const readData = (dir: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.readFile(`${dir}/${S6Service.DATA_FILE}`).pipe(
      Effect.map((bytes) => {
        const parsed = S6Service.parseData(decoder.decode(bytes));
        return parsed._tag === "Right" ? parsed.right : null;
      }),
      Effect.orElseSucceed(() => null),
    ),
  );

/** The last `count` lines the service wrote. */
export const lastLines = (dir: string, count = 20) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.readFile(`${dir}/${S6Service.LOG_FILE}`).pipe(
      Effect.map((bytes) => decoder.decode(bytes).split("\n").filter((l) => l !== "").slice(-count)),
      Effect.orElseSucceed((): ReadonlyArray<string> => []),
    ),
  );

/** Names of service directories (dot entries are not services). */
export const names = (scan: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.readDirectory(scan).pipe(
      Effect.flatMap((entries) => Effect.filter(entries.filter((e) => !e.startsWith(".")), (e) => exists(`${scan}/${e}`))),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed([] as ReadonlyArray<string>)),
    ),
  );

export const entries = (scan: string) => Effect.flatMap(FileSystem, (fs) => fs.readDirectory(scan).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => [])));

/** Remove a directory tree (files, fifos, subdirectories), then fsync its parent. */
export const remove = (dir: string): Effect.Effect<void, FsError, FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    yield* removeTree(dir);
    yield* fs.fsyncDirectory(dirnameOf(dir));
  });

const removeTree = (path: string): Effect.Effect<void, FsError, FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const stat = yield* Effect.either(fs.lstat(path));
    if (stat._tag === "Left") return stat.left.reason === "NotFound" ? undefined : yield* Effect.fail(stat.left);
    if (stat.right.kind !== "directory") return yield* fs.remove(path);
    for (const entry of yield* fs.readDirectory(path)) yield* removeTree(`${path}/${entry}`);
    yield* fs.removeDirectory(path);
  });

/**
 * The files of an s6 service directory, through the file-system port. A new directory is built
 * complete under a dot name inside the scan directory (s6-svscan ignores dot entries), its files
 * fsynced, then renamed to the service's name, so the supervisor never sees half a service. An
 * existing one has its `run` script and `data/switchyard.json` replaced one atomic rename at a
 * time (the running s6-supervise keeps its directory). The atomic writes and the removal are
 * `Durable`'s.
 */
import { S6Service, type Step } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../../durable/Durable.js";
import * as Decode from "../../internal/Decode.js";
import { FileSystem, type FsError } from "../../ports/FileSystem.js";
import { ServiceError } from "../../ports/ServiceManager.js";
import * as Root from "../../root/Root.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HIDDEN_MARK = ".switchyard-";
let counter = 0;

/** A dot name for `name`'s directory in the scan directory, unique in this process and across processes. */
export const hiddenName = (name: string, purpose: "new" | "gone"): string => `.${name}${HIDDEN_MARK}${purpose}-${process.pid}-${++counter}`;

/** True for dot entries this module made for `name` (left behind by a crash). */
export const isLeftoverOf = (entry: string, name: string): boolean => entry.startsWith(`.${name}${HIDDEN_MARK}`);

const files = (rendered: S6Service.Rendered): ReadonlyArray<Durable.StagedFile> => [
  { name: S6Service.RUN_FILE, content: encoder.encode(rendered.run), mode: 0o755 },
  { name: S6Service.DATA_FILE, content: encoder.encode(rendered.data), mode: 0o644 },
];

/** Build `scan/NAME` from nothing: complete under a dot name first, then renamed into place. */
export const create = (scan: string, name: string, rendered: S6Service.Rendered) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const temp = `${scan}/${hiddenName(name, "new")}`;
    yield* Durable.stageDirectory(temp, files(rendered));
    yield* fs.rename(temp, `${scan}/${name}`);
    yield* fs.fsyncDirectory(scan);
  });

/** Put `rendered` in place in an existing service directory, one atomic rename per file. */
export const replace = (dir: string, rendered: S6Service.Rendered) =>
  Effect.gen(function* () {
    // The script first: a crash in between leaves the new script under the old revision, which the
    // next start or restart (comparing revisions) will put right.
    for (const f of files(rendered)) yield* Durable.writeFile(`${dir}/${f.name}`, f.content, f.mode);
  });

export const exists = (path: string) =>
  Effect.flatMap(FileSystem, (fs) => fs.lstat(path).pipe(Effect.map((s) => s.kind === "directory"), Effect.orElseSucceed(() => false)));

/** What the directory says it runs, or null when it cannot say (missing, or not a record of ours). */
export const readData = (dir: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.readFile(`${dir}/${S6Service.DATA_FILE}`).pipe(
      Effect.flatMap((bytes) => Decode.bytes(S6Service.Data, bytes, `${dir}/${S6Service.DATA_FILE}`, () => null)),
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

/** Remove a directory tree (files, fifos, subdirectories; links as links), durably. */
export const remove = (dir: string): Effect.Effect<void, FsError, FileSystem> => Durable.removeTree(dir);

/**
 * s6-supervise, not switchyard, executes the start program the run script names, so it is checked
 * before the directory is written: a program below the root (a relative one always is) that leads
 * out of it through a link is never started.
 */
export const checkProgram = (ref: Step.ServiceRef, prefix: string) =>
  Effect.gen(function* () {
    const [program] = S6Service.commandArgv(ref.record.start, S6Service.hostPath(prefix, ref.system));
    if (program === undefined || !program.includes("/") || Root.inside(Root.make(prefix), program) === null) return;
    const fs = yield* FileSystem;
    yield* fs.realPath(program).pipe(
      Effect.catchIf((e) => e.reason !== "OutsideRoot", () => Effect.succeed("")),
      Effect.mapError((e) => new ServiceError({ reason: "Failed", service: ref.record.name, message: `the start program of ${ref.record.name}: ${e.message}; it was not started`, lastLines: [] })),
    );
  });

/** The s6 tools are given the scan directory by name: one that leads out of the root is never handed to them. */
export const checkScan = (scan: string, name: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.realPath(scan).pipe(
      Effect.catchIf((e) => e.reason !== "OutsideRoot", () => Effect.succeed("")),
      Effect.mapError((e) => new ServiceError({ reason: "Unavailable", service: name, message: `the scan directory: ${e.message}`, lastLines: [] })),
    ),
  );

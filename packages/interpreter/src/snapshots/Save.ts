/**
 * Save a snapshot: each data directory (and the dump directory, when the service has a dump
 * program) packed into a staging sibling `.<id>.partial`, every member flushed, `meta.json` written
 * last, then the whole directory renamed into place and the snapshots directory flushed. Running it
 * again is safe: a committed id is left as it is, a stale partial from a crash is removed first.
 */
import { type GenerationNumber, type SnapshotId, SnapshotMeta } from "@switchyard/model";
import { Effect } from "effect";
import * as Archive from "./Archive.js";
import * as Catalogue from "./Catalogue.js";
import * as Durable from "../durable/Durable.js";
import * as Failpoint from "../durable/Failpoint.js";
import * as Layout from "./Layout.js";
import * as Members from "./Members.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as Tools from "./Tools.js";
import { SnapshotError } from "./SnapshotError.js";
import * as Absent from "../ports/Absent.js";

export interface SaveRequest {
  readonly id: SnapshotId.SnapshotId;
  readonly service: string;
  readonly generation: GenerationNumber.GenerationNumber | null;
  readonly revision: string | null;
  readonly epoch: SnapshotMeta.Epoch;
  readonly takenMs: number;
  readonly reason: SnapshotMeta.Reason;
  /** In-root data directories; one that does not exist yet is saved as an empty directory. */
  readonly paths: ReadonlyArray<string>;
  /** Host path of the directory the dump program filled, or null. */
  readonly dump: string | null;
  readonly compression: SnapshotMeta.Compression;
  /** age public keys; none: stored in clear. */
  readonly recipients: ReadonlyArray<string>;
}

const io = (id: string) => (e: { readonly message: string }) => new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${e.message}` });

const exists = (path: string) =>
  Effect.flatMap(FileSystem, (fs) => fs.lstat(path).pipe(Effect.map((s) => s.kind === "directory"), Effect.orElseSucceed(() => false)));

/** Whether a data directory is there (absent: nothing written yet); anything else at its path is refused, never archived through. */
const dataDirectory = (id: string, path: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    Absent.orNull(Effect.map(fs.lstat(path), (s) => s.kind)).pipe(
      Effect.mapError(io(id)),
      Effect.flatMap((kind) =>
        kind === null || kind === "directory"
          ? Effect.succeed(kind !== null)
          : Effect.fail(new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${path} is a ${kind}, not a directory; a data directory must be one` })),
      ),
    ),
  );

export const save = (root: Root.Root, request: SaveRequest) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const { id } = request;
    const target = Layout.committed(root, id);
    if (yield* exists(target)) return yield* Catalogue.read(root, id);
    const staging = Layout.partial(root, id);
    yield* Durable.removeTree(staging).pipe(Effect.mapError(io(id)));
    yield* Durable.ensureDirectory(staging).pipe(Effect.mapError(io(id)));
    // A snapshot holds a service's data, often a database in clear: root's alone, whatever the umask.
    yield* Tools.must(id, ["chmod", "0700", staging], staging, `keeping ${staging} to root`);
    const encrypted = request.recipients.length > 0;
    const members: Array<SnapshotMeta.Member> = [];
    const sources: ReadonlyArray<readonly [number | "dump", string, string | null]> = [
      ...request.paths.map((p, i) => [i, Root.host(root, p), p] as const),
      ...(request.dump === null ? [] : [["dump", request.dump, null] as const]),
    ];
    for (const [index, source, path] of sources) {
      const name = SnapshotMeta.memberName(index, request.compression, encrypted);
      let from = source;
      const there = yield* dataDirectory(id, from);
      if (!there && index === "dump") {
        return yield* new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: the dump directory ${source} is missing; the service's dump program must run first` });
      }
      if (!there) {
        // Nothing written yet: an empty directory, which is what a restore will bring back.
        from = `${staging}/.empty`;
        yield* fs.makeDirectory(from).pipe(Effect.mapError(io(id)));
      }
      yield* Archive.pack(id, from, `${staging}/${name}`, request.compression, request.recipients);
      if (from !== source) yield* Durable.removeTree(from).pipe(Effect.mapError(io(id)));
      const measured = yield* Members.measure(id, `${staging}/${name}`);
      members.push({ name, path, ...measured });
    }
    const meta: SnapshotMeta.Meta = {
      version: SnapshotMeta.VERSION,
      id,
      service: request.service,
      generation: request.generation,
      revision: request.revision,
      epoch: request.epoch,
      takenMs: request.takenMs,
      reason: request.reason,
      members,
      compression: request.compression,
      encrypted,
      recipients: [...request.recipients],
    };
    const metaFile = `${staging}/${SnapshotMeta.META_FILE}`;
    yield* fs.writeNewFile(metaFile, new TextEncoder().encode(`${JSON.stringify(meta, null, 2)}\n`), 0o600).pipe(Effect.mapError(io(id)));
    yield* fs.fsync(metaFile).pipe(Effect.mapError(io(id)));
    yield* fs.fsyncDirectory(staging).pipe(Effect.mapError(io(id)));
    yield* Failpoint.hit("snapshot:staged");
    yield* fs.rename(staging, target).pipe(Effect.mapError(io(id)));
    yield* fs.fsyncDirectory(Layout.dir(root)).pipe(Effect.mapError(io(id)));
    return meta;
  }).pipe(
    // A save that fails leaves nothing behind: its staging directory goes (a committed id is never touched here).
    Effect.tapError(() => Durable.removeTree(Layout.partial(root, request.id)).pipe(Effect.ignore)),
  );

/**
 * Open a snapshot's member into a fresh directory: the metadata is read, the snapshot must be the
 * expected service's, and the member's size and SHA-256 are proved before tar ever reads it, so a
 * tampered archive changes nothing. The destination must not exist; on failure it is removed.
 */
import { SnapshotMeta } from "@switchyard/model";
import { Effect } from "effect";
import * as Archive from "./Archive.js";
import * as Catalogue from "./Catalogue.js";
import * as Durable from "../durable/Durable.js";
import * as Layout from "./Layout.js";
import * as Members from "./Members.js";
import { FileSystem } from "../ports/FileSystem.js";
import type * as Root from "../root/Root.js";
import { damaged, SnapshotError } from "./SnapshotError.js";

export interface OpenRequest {
  readonly id: string;
  /** The service the caller restores; a snapshot of another service is refused. */
  readonly service: string;
  /** The in-root data directory whose archive to open, or null for the dump. */
  readonly path: string | null;
  /** Host path of a directory that does not exist yet. */
  readonly dest: string;
  /** Host path of the age identity file, or null. */
  readonly identity: string | null;
}

/** Open the member; returns the metadata it was opened from. */
export const extract = (root: Root.Root, request: OpenRequest) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const { id } = request;
    const meta = yield* Catalogue.read(root, id);
    if (meta.service !== request.service) return yield* damaged(id, `it holds ${meta.service}'s data, not ${request.service}'s`);
    const member = SnapshotMeta.memberFor(meta, request.path);
    if (member === undefined) return yield* damaged(id, request.path === null ? "it holds no dump" : `it holds no archive of ${request.path}`);
    yield* Members.prove(id, Layout.committed(root, id), member);
    const io = (e: { readonly message: string }) => new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${e.message}` });
    yield* Durable.ensureDirectory(request.dest).pipe(Effect.mapError(io));
    const names = yield* fs.readDirectory(request.dest).pipe(Effect.mapError(io));
    if (names.length > 0) return yield* new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${request.dest} is not empty; it was left as it is` });
    yield* Archive.unpack(id, `${Layout.committed(root, id)}/${member.name}`, request.dest, {
      compression: meta.compression,
      encrypted: meta.encrypted,
      identity: request.identity,
      scratch: Layout.scratch(root, id, "extract"),
    }).pipe(Effect.tapError(() => Durable.removeTree(request.dest).pipe(Effect.ignore)));
    return meta;
  });

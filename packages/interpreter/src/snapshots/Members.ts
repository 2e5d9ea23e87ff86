/**
 * A member's size and SHA-256, computed when it is written and proved again before it is opened:
 * a truncated or altered archive is refused before any program reads it.
 */
import type { SnapshotMeta } from "@switchyard/model";
import { Effect } from "effect";
import * as Digest from "../internal/Digest.js";
import { FileSystem } from "../ports/FileSystem.js";
import { damaged } from "./SnapshotError.js";

/** The size and digest of the file at `path`. */
export const measure = (path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const bytes = yield* fs.readFile(path);
    return { size: bytes.byteLength, sha256: Digest.sha256(bytes) };
  });

/** Fails Damaged unless the member in `dir` has exactly the recorded size and digest. */
export const prove = (id: string, dir: string, member: SnapshotMeta.Member) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const path = `${dir}/${member.name}`;
    const stat = yield* fs.lstat(path).pipe(Effect.mapError(() => damaged(id, `its member ${member.name} is missing`)));
    if (stat.kind !== "file") return yield* damaged(id, `its member ${member.name} is not a file`);
    if (stat.size !== member.size) return yield* damaged(id, `its member ${member.name} has ${stat.size} bytes, not the ${member.size} recorded`);
    const found = yield* measure(path).pipe(Effect.mapError(() => damaged(id, `its member ${member.name} cannot be read`)));
    if (found.sha256 !== member.sha256) return yield* damaged(id, `its member ${member.name} does not have the SHA-256 recorded`);
  });

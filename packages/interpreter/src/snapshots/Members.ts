/**
 * A member's size and SHA-256, computed when it is written and proved again before it is opened:
 * a truncated or altered archive is refused before any program reads it. The digest is computed by
 * `sha256sum`, which streams the file: an archive of a large database is never read into memory.
 */
import type { SnapshotMeta } from "@switchyard/model";
import { Effect } from "effect";
import { FileSystem } from "../ports/FileSystem.js";
import { dirnameOf } from "../root/Root.js";
import { damaged, SnapshotError } from "./SnapshotError.js";
import * as Tools from "./Tools.js";

const HEX = /^\\?([0-9a-f]{64}) /;

/** The size and digest of the file at `path`. */
export const measure = (id: string, path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const stat = yield* fs.lstat(path).pipe(Effect.mapError((e) => new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${e.message}` })));
    const ran = yield* Tools.run(id, ["sha256sum", "--binary", "--", path], dirnameOf(path));
    const digest = ran.ok ? ran.lastLines.map((l) => HEX.exec(l)?.[1]).find((h) => h !== undefined) : undefined;
    if (digest === undefined) return yield* new SnapshotError({ reason: "Tool", id, message: `snapshot ${id}: sha256sum of ${path} failed: ${Tools.lastLine(ran)}` });
    return { size: stat.size, sha256: digest };
  });

/** Fails Damaged unless the member in `dir` has exactly the recorded size and digest. */
export const prove = (id: string, dir: string, member: SnapshotMeta.Member) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const path = `${dir}/${member.name}`;
    const stat = yield* fs.lstat(path).pipe(Effect.mapError(() => damaged(id, `its member ${member.name} is missing`)));
    if (stat.kind !== "file") return yield* damaged(id, `its member ${member.name} is not a file`);
    if (stat.size !== member.size) return yield* damaged(id, `its member ${member.name} has ${stat.size} bytes, not the ${member.size} recorded`);
    const found = yield* measure(id, path);
    if (found.sha256 !== member.sha256) return yield* damaged(id, `its member ${member.name} does not have the SHA-256 recorded`);
  });

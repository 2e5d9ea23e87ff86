/**
 * How a snapshot operation fails. Damaged: a member's size or hash, the metadata, or the service it
 * belongs to is not what it should be (exit 8); Identity: it cannot be decrypted with the identity
 * given, or none was given (exit 9); NotFound: no such snapshot; Io and Tool: the disk or one of
 * tar, zstd, gzip, age failed. Each message is one line naming the snapshot and what to do.
 */
import { Data } from "effect";

export class SnapshotError extends Data.TaggedError("SnapshotError")<{
  readonly reason: "Damaged" | "Identity" | "NotFound" | "Io" | "Tool";
  readonly id: string;
  readonly message: string;
}> {}

export const damaged = (id: string, what: string) =>
  new SnapshotError({ reason: "Damaged", id, message: `snapshot ${id} is damaged: ${what}; nothing was changed (forget it with 'switchyard snapshot forget ${id}')` });

/** Ids name directories: anything but a well-formed id (a `/`, a `..`) is no snapshot, never a path. */
export const notAnId = (id: string) =>
  new SnapshotError({ reason: "NotFound", id, message: `'${id}' is not a snapshot id (such as 20261201T181100.000Z-g2-db); 'switchyard snapshot list' shows them` });

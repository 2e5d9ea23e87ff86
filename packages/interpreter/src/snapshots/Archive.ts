/**
 * One member archive: a directory packed with GNU tar (numeric owners, modes kept), compressed
 * with zstd or gzip, and encrypted with age to every recipient when there are any; and the reverse,
 * into a fresh directory. Intermediate files live next to the result and are removed.
 */
import type { SnapshotMeta } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import * as Flush from "./Flush.js";
import { FileSystem } from "../ports/FileSystem.js";
import { SnapshotError } from "./SnapshotError.js";
import * as Tools from "./Tools.js";
import { dirnameOf } from "../root/Root.js";

const compressFlag = (c: SnapshotMeta.Compression): ReadonlyArray<string> => (c === "zstd" ? ["--zstd"] : c === "gzip" ? ["--gzip"] : []);

const io = (id: string) => (e: { readonly message: string }) => new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${e.message}` });

/** Pack `source` into `file` (which must not exist) and flush it. */
export const pack = (id: string, source: string, file: string, compression: SnapshotMeta.Compression, recipients: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const encrypted = recipients.length > 0;
    const tarFile = encrypted ? file.replace(/\.age$/, "") : file;
    const cwd = dirnameOf(file);
    yield* Tools.must(id, ["tar", "--create", `--file=${tarFile}`, "--numeric-owner", "--sparse", ...compressFlag(compression), `--directory=${source}`, "."], cwd, `archiving ${source}`);
    if (encrypted) {
      yield* Tools.must(id, ["age", ...recipients.flatMap((r) => ["-r", r]), "-o", file, tarFile], cwd, `encrypting ${tarFile}`);
      yield* Durable.removeTree(tarFile).pipe(Effect.mapError(io(id)));
    }
    yield* fs.fsync(file).pipe(Effect.mapError(io(id)));
  });

export interface Opening {
  readonly compression: SnapshotMeta.Compression;
  readonly encrypted: boolean;
  /** Host path of the age identity file, or null when none was given. */
  readonly identity: string | null;
  /** A fresh directory for the decrypted archive, removed afterwards. */
  readonly scratch: string;
}

/** Unpack `file` into `dest` (a fresh, empty directory) and flush everything in it. */
export const unpack = (id: string, file: string, dest: string, opening: Opening) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    let tarFile = file;
    if (opening.encrypted) {
      tarFile = yield* decrypt(id, file, opening);
    }
    yield* Tools.must(
      id,
      ["tar", "--extract", `--file=${tarFile}`, "--numeric-owner", "--preserve-permissions", "--same-owner", ...compressFlag(opening.compression), `--directory=${dest}`],
      dest,
      `extracting ${file}`,
    );
    yield* Flush.tree(dest).pipe(Effect.mapError(io(id)));
    yield* fs.fsyncDirectory(dirnameOf(dest)).pipe(Effect.mapError(io(id)));
  }).pipe(Effect.ensuring(opening.encrypted ? Durable.removeTree(opening.scratch).pipe(Effect.ignore) : Effect.void));

/** Decrypt `file` into the scratch directory; return the decrypted archive's path. */
export const decrypt = (id: string, file: string, opening: Opening) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    if (opening.identity === null) {
      return yield* new SnapshotError({ reason: "Identity", id, message: `snapshot ${id} is encrypted: give the age identity that opens it with --identity FILE or snapshots.identity in the config` });
    }
    // The identity is the user's file, often outside the root: age itself opens it, and says when it cannot.
    const identity = opening.identity;
    yield* Durable.removeTree(opening.scratch).pipe(Effect.zipRight(fs.makeDirectory(opening.scratch)), Effect.mapError(io(id)));
    const out = `${opening.scratch}/member.tar`;
    const ran = yield* Tools.run(id, ["age", "-d", "-i", identity, "-o", out, file], opening.scratch);
    if (ran.ok) return out;
    const line = Tools.lastLine(ran);
    // age names identity trouble itself ("no identity matched any of the recipients", an unreadable key file).
    const identityTrouble = /identit|recipient|key/i.test(line) || line.includes(identity);
    return yield* identityTrouble
      ? new SnapshotError({ reason: "Identity", id, message: `snapshot ${id} cannot be decrypted with ${identity} (${line}); give the identity it was encrypted to` })
      : new SnapshotError({ reason: "Damaged", id, message: `snapshot ${id} is damaged: decrypting it failed (${line}); nothing was changed` });
  });

/**
 * A snapshot's `meta.json`: which service's data it holds, written by which generation and revision
 * in which data epoch, when and why, and each member archive with its size and SHA-256, so a check
 * can prove every byte before anything is extracted. It is written last, so a snapshot directory
 * that has one is complete. Members are standard tar archives (compressed, perhaps age-encrypted).
 */
import * as t from "io-ts";
import * as Stamp from "../boot/Stamp.js";
import { strict } from "../internal/Strict.js";

export const VERSION = 1;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A snapshot id is one path component (its directory's name) and a command-line word. */
export const Id = new t.Type<string, string, unknown>(
  "snapshot id",
  (u): u is string => typeof u === "string" && ID.test(u),
  (u, c) =>
    typeof u === "string" && ID.test(u)
      ? t.success(u)
      : t.failure(u, c, `invalid snapshot id ${JSON.stringify(u)}: use letters, digits and . _ - (starting with a letter or digit)`),
  (a) => a,
);

const Whole = new t.Type<number, number, unknown>(
  "whole number",
  (u): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === "number" && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c, "expected a whole number")),
  (a) => a,
);

const HEX = /^[0-9a-f]{64}$/;
const Sha256 = new t.Type<string, string, unknown>(
  "sha256",
  (u): u is string => typeof u === "string" && HEX.test(u),
  (u, c) => (typeof u === "string" && HEX.test(u) ? t.success(u) : t.failure(u, c, "expected 64 lowercase hex digits")),
  (a) => a,
);

/** A member's file name inside the snapshot directory: plain, never a path. */
const MEMBER = /^[a-z0-9][a-z0-9.-]*$/;
const MemberName = new t.Type<string, string, unknown>(
  "member name",
  (u): u is string => typeof u === "string" && MEMBER.test(u),
  (u, c) => (typeof u === "string" && MEMBER.test(u) ? t.success(u) : t.failure(u, c, "expected a plain file name")),
  (a) => a,
);

/** The epoch of the data: normalised lists as the model's epochs use. */
export const Epoch = strict({ read: t.array(Whole), write: t.array(Whole) }, "epoch");
export type Epoch = t.TypeOf<typeof Epoch>;

export const Compression = t.keyof({ zstd: null, gzip: null, none: null }, "compression");
export type Compression = t.TypeOf<typeof Compression>;

/** Why it was taken: before a switch stops the service, before a restore replaces its data, or on request. */
export const Reason = t.keyof({ "before-switch": null, "before-restore": null, manual: null }, "reason");
export type Reason = t.TypeOf<typeof Reason>;

export const Member = strict(
  {
    name: MemberName,
    /** The in-root directory this archive holds, or null for the dump directory. */
    path: t.union([t.string, t.null]),
    size: Whole,
    sha256: Sha256,
  },
  "member",
);
export type Member = t.TypeOf<typeof Member>;

export const Meta = strict(
  {
    version: t.literal(VERSION),
    id: Id,
    service: t.string,
    generation: Whole,
    revision: t.union([t.string, t.null]),
    epoch: Epoch,
    takenMs: Whole,
    reason: Reason,
    members: t.array(Member),
    compression: Compression,
    encrypted: t.boolean,
    /** The age recipients it is encrypted to (public keys), empty when stored in clear. */
    recipients: t.array(t.string),
  },
  "snapshot meta",
);
export type Meta = t.TypeOf<typeof Meta>;

export const META_FILE = "meta.json";

/** The file name of a member: `path-<i>` or `dump`, then what tar, the compressor and age add. */
export const memberName = (index: number | "dump", compression: Compression, encrypted: boolean): string =>
  `${index === "dump" ? "dump" : `path-${index}`}.tar${compression === "zstd" ? ".zst" : compression === "gzip" ? ".gz" : ""}${encrypted ? ".age" : ""}`;

/** `YYYYMMDDTHHMMSSZ` in UTC. */
const stamp = (ms: number): string => {
  const seconds = String(Math.floor(ms / 1000) % 60).padStart(2, "0");
  return `${Stamp.format(ms, 0).replace(/[-:]/g, "").replace(" ", "T")}${seconds}Z`;
};

/**
 * A snapshot's id, chosen when the plan is made: sortable by time, and naming the service and the
 * generation whose data it holds; `reason` keeps a restore's own snapshot of the replaced data
 * apart from one taken in the same second.
 */
export const idOf = (service: string, generation: number, takenMs: number, reason: Reason): string => {
  const id = `${stamp(takenMs)}-${service.replace(/[^A-Za-z0-9._-]/g, "_")}-g${generation}${reason === "before-restore" ? "-replaced" : reason === "manual" ? "-saved" : ""}`;
  return id.slice(0, 128);
};

/** The member holding `path`, or the dump (null). */
export const memberFor = (meta: Meta, path: string | null): Member | undefined => meta.members.find((m) => m.path === path);

/** `reader` (a revision's read epochs) can read data written in `data`'s epoch: snap's CanRead. */
export const canRead = (readerRead: ReadonlyArray<number>, data: Epoch): boolean => {
  const read = readerRead.length === 0 ? [0] : readerRead;
  const write = data.write.length === 0 ? [0] : data.write;
  return read.some((r) => write.includes(r));
};

/** Newest first (time, then id), the order `list` and every choice use. */
export const newestFirst = (snapshots: ReadonlyArray<Meta>): ReadonlyArray<Meta> =>
  [...snapshots].sort((a, b) => b.takenMs - a.takenMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

/** The newest snapshot of `service` whose data a revision reading `readerRead` can read, if any. */
export const newestReadable = (snapshots: ReadonlyArray<Meta>, service: string, readerRead: ReadonlyArray<number>): Meta | undefined =>
  newestFirst(snapshots).find((s) => s.service === service && canRead(readerRead, s.epoch));

/** The newest snapshot of `service` taken of `generation`'s data: what a rollback to it restores. */
export const newestOf = (snapshots: ReadonlyArray<Meta>, service: string, generation: number): Meta | undefined =>
  newestFirst(snapshots).find((s) => s.service === service && s.generation === generation);

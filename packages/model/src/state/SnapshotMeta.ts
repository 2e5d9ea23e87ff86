/**
 * A snapshot's `meta.json`: which service's data it holds, written by which generation and revision
 * in which data epoch, when and why, and each member archive with its size and SHA-256, so a check
 * can prove every byte before anything is extracted. It is written last, so a snapshot directory
 * that has one is complete. Members are standard tar archives (compressed, perhaps age-encrypted).
 */
import * as t from "io-ts";
import { strict } from "../internal/Strict.js";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import * as EpochModule from "./Epoch.js";
import { SnapshotIdCodec } from "./SnapshotId.js";
import type { Snapshot as Summary } from "./StateWorld.js";

export const VERSION = 1;

/** A snapshot id is the one the plan chose (`SnapshotId`): its directory's name and a command-line word. */
export const Id = SnapshotIdCodec;

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

/** The epoch of the data, in its explicit `{read, write}` form. */
export const Epoch = EpochModule.EpochCodec;
export type Epoch = EpochModule.Epoch;

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
    /** The generation whose data it holds (null: a service no generation on record wrote). */
    generation: t.union([GenerationNumberCodec, t.null]),
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

/** The member holding `path`, or the dump (null). */
export const memberFor = (meta: Meta, path: string | null): Member | undefined => meta.members.find((m) => m.path === path);

/** Newest first (time, then id), the order `list` and every choice use. */
export const newestFirst = (snapshots: ReadonlyArray<Meta>): ReadonlyArray<Meta> =>
  [...snapshots].sort((a, b) => b.takenMs - a.takenMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

/** The newest snapshot of `service` whose data a revision of epoch `reader` can read (snap's CanRead), if any. */
export const newestReadable = (snapshots: ReadonlyArray<Meta>, service: string, reader: Epoch): Meta | undefined =>
  newestFirst(snapshots).find((s) => s.service === service && EpochModule.canRead(reader, s.epoch));

/** The newest snapshot of `service` taken of `generation`'s data: what a rollback to it restores. */
export const newestOf = (snapshots: ReadonlyArray<Meta>, service: string, generation: number | null): Meta | undefined =>
  newestFirst(snapshots).find((s) => s.service === service && s.generation === generation);

/** What the planner reads of a snapshot (`StateWorld.Snapshot`): the metadata without members and hashes. */
export const summary = (meta: Meta): Summary => ({
  id: meta.id,
  service: meta.service,
  generation: meta.generation,
  revision: meta.revision,
  epoch: meta.epoch,
  takenMs: meta.takenMs,
  paths: meta.members.flatMap((m) => (m.path === null ? [] : [m.path])),
  dump: meta.members.some((m) => m.path === null),
});

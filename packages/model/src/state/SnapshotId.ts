/**
 * Snapshot ids, derived from what the plan already fixes (the time it was computed, the generation
 * whose data is captured, the service), never from a random source: a saved plan computed again
 * under the lock names the very same snapshots, so it is found equal. The id is also the
 * snapshot's directory name, so it sorts by time and holds no `/`.
 */
import * as t from "io-ts";
import * as Stamp from "../boot/Stamp.js";

declare const SnapshotIdBrand: unique symbol;
export type SnapshotId = string & { readonly [SnapshotIdBrand]: true };

const ID = /^[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-(?:g[0-9]+|none)-[A-Za-z0-9@_-][A-Za-z0-9@._-]*$/;

export const SnapshotIdCodec = new t.Type<SnapshotId, string, unknown>(
  "SnapshotId",
  (u): u is SnapshotId => typeof u === "string" && ID.test(u),
  (u, c) => (typeof u === "string" && ID.test(u) ? t.success(u as SnapshotId) : t.failure(u, c, `expected a snapshot id such as 20261201T181100.000Z-g2-db`)),
  (a) => a,
);

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/** Seconds and milliseconds of `ms`, which Stamp's minute-truncated text leaves out. */
const secondsOf = (ms: number): { readonly s: string; readonly ms: string } => {
  const whole = Math.floor(ms);
  return { s: pad(Math.floor(whole / 1000) % 60, 2), ms: pad(((whole % 1000) + 1000) % 1000, 3) };
};

/** `20261201T181100.123Z`: UTC, fixed width, so ids sort by time. */
export const stamp = (ms: number): string => {
  const [date = "", time = ""] = Stamp.format(ms, 0).split(" ");
  const rest = secondsOf(ms);
  return `${date.replaceAll("-", "")}T${time.replace(":", "")}${rest.s}.${rest.ms}Z`;
};

/** The id of the snapshot a plan computed at `nowMs` takes of `service`'s data written under `generation`. */
export const of = (service: string, generation: number | null, nowMs: number): SnapshotId =>
  `${stamp(nowMs)}-${generation === null ? "none" : `g${generation}`}-${service}` as SnapshotId;

export const is = (s: string): s is SnapshotId => ID.test(s);

/** The service an id names (its last part). */
export const serviceOf = (id: SnapshotId): string => id.replace(/^[^-]+-(?:g[0-9]+|none)-/, "");

/** "2026-12-01 18:11:00 UTC", as the loss line shows a time. */
export const utcText = (ms: number): string => `${Stamp.format(ms, 0)}:${secondsOf(ms).s} UTC`;

/**
 * How new snapshots are stored: compression, the age recipients they are encrypted to (none:
 * stored in clear) and how many are kept. It is read from the config's `snapshots` section once,
 * when a plan is computed, and recorded in the plan (`Plan.snapshots`, and each `SaveSnapshot`
 * step carries its compression and recipients), so `apply --plan` does what the plan says even
 * when the config changed since. The identity that opens snapshots is never part of it: it is a
 * secret, given when a restore runs.
 */
import * as t from "io-ts";
import * as Retention from "./Retention.js";
import * as SnapshotMeta from "./SnapshotMeta.js";

export const Keep = t.readonly(t.type({ count: t.number, maxAgeDays: t.union([t.number, t.null]) }, "SnapshotKeep"));

export const SnapshotStore = t.readonly(
  t.type({ compression: SnapshotMeta.Compression, recipients: t.readonlyArray(t.string), keep: Keep }, "SnapshotStore"),
);
export type SnapshotStore = t.TypeOf<typeof SnapshotStore>;

/** No `snapshots` section: zstd, in clear, the default retention. */
export const defaults: SnapshotStore = { compression: "zstd", recipients: [], keep: Retention.defaults };

export const encrypted = (store: Pick<SnapshotStore, "recipients">): boolean => store.recipients.length > 0;

/** "encrypted with age to 2 recipients" or "stored in clear (no snapshots.recipients configured)". */
export const encryption = (store: Pick<SnapshotStore, "recipients">): string => {
  const n = store.recipients.length;
  return n === 0 ? "stored in clear (no snapshots.recipients configured)" : `encrypted with age to ${n} recipient${n === 1 ? "" : "s"}`;
};

/**
 * The plan's state section: per stateful service what the transition does with its data
 * (`snapshot`: taken, data kept; `restore`: a snapshot replaces the data; `keep`: nothing to do),
 * the snapshot restored or taken, the target's epoch, the data's epoch before, and the loss line
 * every restore carries. `plan` prints it; `plan --json` lists it.
 */
import * as t from "io-ts";
import * as Epoch from "./Epoch.js";
import { SnapshotIdCodec } from "./SnapshotId.js";
import type * as StateDecision from "./StateDecision.js";
import { DataEpoch } from "./StateWorld.js";

const OrNull = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const StateEntry = t.readonly(
  t.type(
    {
      service: t.string,
      action: t.keyof({ snapshot: null, restore: null, keep: null }),
      /** restore: the snapshot restored; snapshot: the one taken; keep: null. */
      snapshot: OrNull(SnapshotIdCodec),
      /** The snapshot taken of the data as it is now (a restore keeps what it replaces in it). */
      saved: OrNull(SnapshotIdCodec),
      /** The target's epoch (null: the target has no such service; its data is left alone). */
      epoch: OrNull(Epoch.EpochCodec),
      /** The data on disk before the transition (null: none known). */
      data: OrNull(DataEpoch),
      loss: OrNull(t.string),
      /** A snapshot is taken and `snapshots.recipients` is not set: it is stored unencrypted. */
      inClear: t.boolean,
    },
    "StateEntry",
  ),
);
export type StateEntry = t.TypeOf<typeof StateEntry>;

export const of = (d: StateDecision.Decision, encrypted: boolean): StateEntry => ({
  service: d.service,
  action: d.action,
  snapshot: d.action === "restore" ? (d.restore?.id ?? null) : (d.saved?.id ?? null),
  saved: d.saved?.id ?? null,
  epoch: d.target?.record.state?.epoch ?? null,
  data: d.data,
  loss: d.loss,
  inClear: d.saved !== null && !encrypted,
});

/** One line per service, for `plan`: "db: restores snapshot …", "db: snapshot S taken, data kept (epoch 2*)". */
export const line = (e: StateEntry): string => {
  const clear = e.inClear ? " (stored unencrypted: no snapshots.recipients configured)" : "";
  if (e.loss !== null) return `${e.loss}${clear}`;
  const epoch = e.epoch === null ? "" : `, read as epoch ${Epoch.display(e.epoch)}`;
  const data = e.data === null ? "no data recorded yet" : `data in epoch ${Epoch.display(e.data.epoch)}`;
  return e.action === "snapshot" ? `${e.service}: snapshot ${e.saved ?? ""} taken first${clear}; ${data} kept${epoch}` : `${e.service}: ${data} kept${epoch}`;
};

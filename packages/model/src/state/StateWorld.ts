/**
 * What the interpreter observes of services' data, for the state planner: the data epoch recorded
 * on disk per stateful service (which generation and revision last wrote the data, in which
 * epoch), and the snapshot catalogue. Both are optional in the World: absent means "not
 * observed" and is treated as nothing recorded.
 */
import * as t from "io-ts";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import * as Epoch from "./Epoch.js";
import { SnapshotIdCodec } from "./SnapshotId.js";
import * as SnapshotStore from "./SnapshotStore.js";

/** The record of a service's data on disk: the epoch it is in and who wrote it. */
export const DataEpoch = t.readonly(
  t.type(
    {
      service: t.string,
      epoch: Epoch.EpochCodec,
      generation: t.union([GenerationNumberCodec, t.null]),
      revision: t.union([t.string, t.null]),
    },
    "DataEpoch",
  ),
);
export type DataEpoch = t.TypeOf<typeof DataEpoch>;

/**
 * What the planner reads of one snapshot in the catalogue (the snapshot's metadata holds more:
 * members, sizes, hashes, encryption). `generation`/`revision` are those whose data it holds,
 * `epoch` the data's epoch, `takenMs` when it was taken, `paths` the directories it archived and
 * `dump` whether it holds a dump for the load program.
 */
export const Snapshot = t.readonly(
  t.type(
    {
      id: SnapshotIdCodec,
      service: t.string,
      generation: t.union([GenerationNumberCodec, t.null]),
      revision: t.union([t.string, t.null]),
      epoch: Epoch.EpochCodec,
      takenMs: t.number,
      paths: t.readonlyArray(t.string),
      dump: t.boolean,
    },
    "SnapshotSummary",
  ),
);
export type Snapshot = t.TypeOf<typeof Snapshot>;

/** The fields of the World this module's observations fill. */
export interface Observed {
  /** One record per service that has one, sorted by service. */
  readonly dataEpochs?: ReadonlyArray<DataEpoch>;
  /** Every complete snapshot (meta.json present and readable), oldest first. */
  readonly snapshots?: ReadonlyArray<Snapshot>;
  /** Snapshots whose metadata cannot be trusted (`snapshot list` shows them): `problem` is the whole line saying why. */
  readonly damagedSnapshots?: ReadonlyArray<{ readonly id: string; readonly problem: string }>;
  /** How new snapshots are stored (the config's `snapshots` section); absent: the defaults, in clear. */
  readonly snapshotStore?: SnapshotStore.SnapshotStore;
}

export const storeOf = (observed: Observed): SnapshotStore.SnapshotStore => observed.snapshotStore ?? SnapshotStore.defaults;

/** The epoch of the data on disk: the record's, or the data's when never recorded (epoch 0, written by nobody known). */
export const dataEpochOf = (observed: Observed, service: string): DataEpoch | null => observed.dataEpochs?.find((d) => d.service === service) ?? null;

export const snapshotsOf = (observed: Observed, service: string): ReadonlyArray<Snapshot> => (observed.snapshots ?? []).filter((s) => s.service === service);

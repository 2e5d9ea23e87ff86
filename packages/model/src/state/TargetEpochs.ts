/**
 * The epochs a switch to a generation is about, for the programs it runs (checks, hooks,
 * migrations: `SWITCHYARD_EPOCHS`) and for the data-epoch check: each stateful service of the
 * target with the epoch it declares and the epoch its data on disk is in (null when it has none).
 */
import type * as ServiceRecord from "../services/ServiceRecord.js";
import type * as World from "../world/World.js";
import * as Epoch from "./Epoch.js";
import * as Stepped from "./Stepped.js";
import type * as StateWorld from "./StateWorld.js";

export interface TargetEpoch {
  readonly service: string;
  /** What the target reads and writes, in the explicit form. */
  readonly epoch: Epoch.Epoch;
  readonly data: StateWorld.DataEpoch | null;
}

const stateful = (services: ReadonlyArray<ServiceRecord.ServiceRecord>): ReadonlyArray<ServiceRecord.ServiceRecord> => services.filter((r) => r.state !== null);

/** The stateful services of `services` with the data on record for them, sorted by name. */
export const fromServices = (services: ReadonlyArray<ServiceRecord.ServiceRecord>, data: ReadonlyArray<StateWorld.DataEpoch>): ReadonlyArray<TargetEpoch> =>
  stateful(services)
    .map((r) => ({ service: r.name as string, epoch: (r.state as NonNullable<ServiceRecord.ServiceRecord["state"]>).epoch, data: data.find((d) => d.service === r.name) ?? null }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));

/** The target's stateful services, with the data on disk as the planner sees it (a record, or what the running revision writes). */
export const of = (world: World.World, target: World.Generation): ReadonlyArray<TargetEpoch> =>
  target.manifest._tag === "Valid" ? fromServices(target.manifest.manifest.services as ReadonlyArray<ServiceRecord.ServiceRecord>, Stepped.dataOnDisk(world)) : [];

/** `{"db": {"epoch": {"read": [1], "write": [1]}, "data": {"read": [0], "write": [0]}}}`; `{}` without stateful services. */
export const json = (epochs: ReadonlyArray<TargetEpoch>): string =>
  JSON.stringify(Object.fromEntries(epochs.map((e) => [e.service, { epoch: Epoch.EpochCodec.encode(e.epoch), data: e.data === null ? null : Epoch.EpochCodec.encode(e.data.epoch) }])));

/** The services whose data on disk the target cannot read. */
export const unreadable = (epochs: ReadonlyArray<TargetEpoch>): ReadonlyArray<TargetEpoch & { readonly data: StateWorld.DataEpoch }> =>
  epochs.flatMap((e) => (e.data !== null && !Epoch.canRead(e.epoch, e.data.epoch) ? [{ ...e, data: e.data }] : []));

/**
 * What a transition does with each stateful service's data, decided from the data epoch on disk
 * and the snapshot catalogue (snapd's rules, plus the stateful-services proposal's restore on
 * rollback): snapshot the data before the old revision stops, keep it when the target can read
 * it, restore the newest snapshot the target can read when it cannot (or, for `restore:
 * on-rollback`, when going back to a revision that has one), and refuse when no snapshot helps.
 * A restore always replaces data that has just been snapshotted, so nothing is ever destroyed;
 * the plan states what it loses.
 */
import * as E from "fp-ts/lib/Either.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Request from "../plan/Request.js";
import type { ServiceRef } from "../plan/ServiceRef.js";
import type * as ServiceDiff from "../services/ServiceDiff.js";
import type * as ServiceGraph from "../services/ServiceGraph.js";
import type * as ServiceRecord from "../services/ServiceRecord.js";
import * as ServiceRevision from "../services/ServiceRevision.js";
import type * as World from "../world/World.js";
import * as Epoch from "./Epoch.js";
import * as SnapshotId from "./SnapshotId.js";
import * as Stepped from "./Stepped.js";
import * as StateWorld from "./StateWorld.js";

/** The snapshot a transition takes of a service's current data. */
export interface Saved {
  readonly id: SnapshotId.SnapshotId;
  /** The revision whose data it holds: the running one, or the target's when nothing of it runs. */
  readonly ref: ServiceRef;
  readonly generation: World.Generation["number"] | null;
  readonly revision: string;
  readonly epoch: Epoch.Epoch;
  readonly paths: ReadonlyArray<string>;
  /** Its dump program runs first (the old revision is up and declares one). */
  readonly dump: boolean;
}

export interface Decision {
  readonly service: ServiceRecord.ServiceName;
  readonly action: "snapshot" | "restore" | "keep";
  readonly saved: Saved | null;
  readonly restore: StateWorld.Snapshot | null;
  /** The target's record (null: the target has no such service; its data is left as it is). */
  readonly target: ServiceRef | null;
  readonly data: StateWorld.DataEpoch | null;
  readonly loss: string | null;
}

export interface Input {
  readonly world: World.World;
  readonly running: { readonly system: World.Generation["system"] | null; readonly generation: World.Generation["number"] | null; readonly graph: ServiceGraph.ServiceGraph };
  readonly target: World.Generation;
  readonly next: ServiceGraph.ServiceGraph;
  readonly diff: ServiceDiff.ServiceDiff;
  readonly live: ReadonlySet<string>;
  readonly policy: Request.StatePolicy;
  readonly nowMs: number;
  /** Decide for these services only (the snapshot commands); absent: every stateful one. */
  readonly only?: ReadonlySet<string>;
  /** Snapshot each one even when nothing stops it (`snapshot save` of a service that is down). */
  readonly snapshotAll?: boolean;
}

/** The data on disk: its record, or (never recorded) what the running revision declares it writes. */
export const dataOf = (world: World.World, running: Input["running"], name: string): StateWorld.DataEpoch | null => {
  const recorded = StateWorld.dataEpochOf(world, name);
  if (recorded !== null) return recorded;
  const record = running.graph.records.get(name as ServiceRecord.ServiceName);
  if (record?.state == null || running.system === null) return null;
  return { service: name, epoch: record.state.epoch, generation: running.generation, revision: ServiceRevision.of(running.system, record) };
};

const newest = (snapshots: ReadonlyArray<StateWorld.Snapshot>): StateWorld.Snapshot | null =>
  snapshots.reduce<StateWorld.Snapshot | null>((best, s) => (best === null || s.takenMs > best.takenMs || (s.takenMs === best.takenMs && s.id > best.id) ? s : best), null);

const generationText = (g: number | null): string => (g === null ? "an unknown generation" : `generation ${g}`);

/** Which snapshot to restore, or null to keep; Left when the target cannot read the data and nothing helps. */
const choose = (input: Input, name: string, target: ServiceRef, data: StateWorld.DataEpoch | null): E.Either<PlanError.PlanError, StateWorld.Snapshot | null> => {
  const state = target.record.state as ServiceRecord.ServiceRecord["state"] & object;
  const readable = StateWorld.snapshotsOf(input.world, name).filter((s) => Epoch.canRead(state.epoch, s.epoch));
  const revision = ServiceRevision.ofRef(target);
  const own = newest(readable.filter((s) => s.revision === revision));
  const canKeep = data === null || Epoch.canRead(state.epoch, data.epoch);
  const goesBack = input.running.generation !== null && input.target.number < input.running.generation;
  const wants = input.policy === "restore" || (input.policy === "auto" && state.restore === "on-rollback" && goesBack && own !== null);
  if (wants) {
    const pick = own ?? newest(readable);
    if (pick !== null) return E.right(pick);
    return E.left(PlanError.stateUnreadable(`${name}: --state restore, but there is no snapshot of ${name} that generation ${input.target.number} (epoch ${Epoch.display(state.epoch)}) can read; see 'switchyard snapshot list'`));
  }
  if (canKeep) return E.right(null);
  const pick = input.policy === "keep" ? null : newest(readable);
  if (pick !== null) return E.right(pick);
  return E.left(PlanError.stateUnreadable(unreadable(input, name, state.epoch, data as StateWorld.DataEpoch)));
};

/** The refusal: who cannot read what, who wrote it, and the generations that could migrate it. */
const unreadable = (input: Input, name: string, epoch: Epoch.Epoch, data: StateWorld.DataEpoch): string => {
  const chain = Stepped.chainFor(input.world, name, data, input.target.number);
  const reads = `reads epochs ${epoch.read.join(", ")}`;
  const head = `${name}: generation ${input.target.number} ${reads}, but ${name}'s data is in epoch ${Epoch.display(data.epoch)}, written by ${generationText(data.generation)}, and no snapshot of ${name} it can read exists`;
  if (input.policy === "keep") return `${name}: --state keep, but generation ${input.target.number} ${reads} and ${name}'s data is in epoch ${Epoch.display(data.epoch)} (written by ${generationText(data.generation)})`;
  return chain === null
    ? `${head}; no generation can migrate it there: switch to one that reads epoch ${Epoch.display(data.epoch)}`
    : `${head}; generations ${Stepped.describeChain(chain)} can migrate it step by step: 'switchyard apply switch ${input.target.number} --stepped'`;
};

/** The snapshot of the data the transition replaces or leaves behind, when the old revision stops or a restore needs one. */
const savedOf = (input: Input, name: ServiceRecord.ServiceName, data: StateWorld.DataEpoch | null, target: ServiceRef | null, restoring: boolean): Saved | null => {
  const old = input.running.graph.records.get(name);
  const stops = input.diff.stop.some((r) => r.name === name);
  const oldRef = old?.state != null && input.running.system !== null ? { system: input.running.system, generation: input.running.generation, record: old } : null;
  // Data that another revision is about to run on is kept first, even when nothing of the old code runs to stop.
  const runs = [input.diff.start, input.diff.restart, input.diff.reload].some((list) => list.some((r) => r.name === name));
  const handsOver = target !== null && data !== null && runs && data.revision !== ServiceRevision.ofRef(target);
  if (!((stops || input.snapshotAll === true) && oldRef !== null) && !handsOver && !restoring) return null;
  const ref = oldRef ?? target;
  if (ref === null || ref.record.state === null) return null;
  const generation = data?.generation ?? ref.generation;
  return {
    id: SnapshotId.of(name, generation, input.nowMs),
    ref,
    generation,
    revision: data?.revision ?? ServiceRevision.ofRef(ref),
    epoch: data?.epoch ?? ref.record.state.epoch,
    paths: ref.record.state.paths,
    dump: oldRef !== null && oldRef.record.state?.dump != null && input.live.has(name),
  };
};

const lossLine = (name: string, restore: StateWorld.Snapshot, saved: Saved | null): string =>
  `${name}: restores snapshot ${restore.id} (taken ${SnapshotId.utcText(restore.takenMs)}, ${generationText(restore.generation)}); changes since then are replaced — ${
    saved === null ? "there is no data to keep" : `kept as snapshot ${saved.id}`
  }`;

/** One decision per service that has state in the running generation or the target, sorted by name. */
export const decide = (input: Input): E.Either<PlanError.PlanError, ReadonlyArray<Decision>> => {
  const names = new Set<ServiceRecord.ServiceName>();
  for (const graph of [input.running.graph, input.next]) for (const [name, r] of graph.records) if (r.state !== null) names.add(name);
  const out: Array<Decision> = [];
  for (const name of [...names].filter((n) => input.only === undefined || input.only.has(n)).sort()) {
    const record = input.next.records.get(name);
    const target = record?.state != null ? { system: input.target.system, generation: input.target.number, record } : null;
    const data = dataOf(input.world, input.running, name);
    const chosen = target === null ? E.right(null) : choose(input, name, target, data);
    if (E.isLeft(chosen)) return chosen;
    const restore = chosen.right;
    const saved = savedOf(input, name, data, target, restore !== null);
    out.push({
      service: name,
      action: restore !== null ? "restore" : saved !== null ? "snapshot" : "keep",
      saved,
      restore,
      target,
      data,
      loss: restore === null ? null : lossLine(name, restore, saved),
    });
  }
  return E.right(out);
};

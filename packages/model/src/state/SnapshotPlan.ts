/**
 * `snapshot save [SERVICE…]` and `snapshot restore ID` as plans like any other, with the steps a
 * transition uses. Both act on the running generation's services and leave generations, links and
 * the boot menu alone. Save: dump while up, stop, archive, start again. Restore: the same snapshot
 * of the data it replaces first (the loss line names it), then the directories swapped in, the
 * service started and its dump loaded. The revert puts everything back as for a transition.
 */
import * as E from "fp-ts/lib/Either.js";
import * as Nearest from "../internal/Nearest.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Request from "../plan/Request.js";
import type { ServiceRef } from "../plan/ServiceRef.js";
import type * as Step from "../plan/Step.js";
import * as Manifest from "../world/Manifest.js";
import * as ServiceGraph from "../services/ServiceGraph.js";
import type * as ServiceRecord from "../services/ServiceRecord.js";
import type * as World from "../world/World.js";
import * as Epoch from "./Epoch.js";
import * as StateDecision from "./StateDecision.js";
import * as StateTransition from "./StateTransition.js";
import * as StateWorld from "./StateWorld.js";

export type Save = Extract<Request.Operation, { readonly _tag: "SnapshotSave" }>;
export type Restore = Extract<Request.Operation, { readonly _tag: "SnapshotRestore" }>;

type Running = StateDecision.Input["running"];

/** The running generation, which both plans act on; Left when nothing runs or its manifest is unreadable. */
const runningSide = (world: World.World): E.Either<PlanError.PlanError, { readonly running: Running; readonly target: World.Generation }> => {
  const r = world.running;
  const target = world.generations.find((g) => g.number === r.generation);
  if (r.system === null || target === undefined) return E.left(PlanError.failed("no generation is running, so there is no service whose data to snapshot; switch to one first"));
  if (r.manifest?._tag !== "Valid") return E.left(PlanError.invalid(`the running system's manifest cannot be read${r.manifest?._tag === "Invalid" ? ` (${Manifest.errorLine(r.manifest.error)})` : ""}`));
  return E.right({ running: { system: r.system, generation: r.generation, graph: Manifest.graphOf(r.manifest.manifest) }, target });
};

const stateful = (graph: ServiceGraph.ServiceGraph): ReadonlyArray<ServiceRecord.ServiceRecord> => graph.order.flatMap((n) => {
  const r = graph.records.get(n);
  return r?.state == null ? [] : [r];
});

/** Stop and start the chosen services (a cycle, as the diff of a transition writes it) so the state steps fall in place. */
const cycle = (graph: ServiceGraph.ServiceGraph, live: ReadonlySet<string>, names: ReadonlySet<string>) => {
  const chosen = ServiceGraph.inDependencyOrder(graph, names).filter((n) => live.has(n)).map((n) => graph.records.get(n) as ServiceRecord.ServiceRecord);
  return { stop: [...chosen].reverse(), start: chosen, restart: [], reload: [], skip: [], unchanged: [] };
};

/**
 * With no service manager nothing can be stopped: a directory archived then is not quiesced, and a
 * restore would swap data under a running service. So these two are refused there.
 */
const needsManager = (world: World.World, op: Save | Restore): E.Either<PlanError.PlanError, null> =>
  world.settings.serviceManager !== "none"
    ? E.right(null)
    : E.left(
        PlanError.invalid(
          `snapshot ${op._tag === "SnapshotSave" ? "save" : "restore"} needs a service manager to stop the service while its data is ${op._tag === "SnapshotSave" ? "saved" : "replaced"}; give --service-manager s6 (or set serviceManager in the config)`,
        ),
      );

const build = (world: World.World, op: Save | Restore, nowMs: number, names: ReadonlySet<string>, policy: Request.StatePolicy, only: StateWorld.Snapshot | null) => {
  const managed = needsManager(world, op);
  if (E.isLeft(managed)) return managed;
  const side = runningSide(world);
  if (E.isLeft(side)) return side;
  const { running, target } = side.right;
  const live = new Set(world.liveServices ?? running.graph.order);
  const diff = cycle(running.graph, live, names);
  const graph = running.graph;
  const catalogue: World.World = only === null ? world : { ...world, snapshots: [only] };
  const placed = StateTransition.place(
    { world: catalogue, running, target, next: graph, diff, live, policy, nowMs, only: names, snapshotAll: op._tag === "SnapshotSave" },
    (name) => StateWorld.dataEpochOf(world, name),
    nowMs,
    StateWorld.storeOf(world),
  );
  if (E.isLeft(placed)) return placed;
  const p = placed.right;
  const ref = (r: ServiceRecord.ServiceRecord): ServiceRef => ({ system: target.system, generation: target.number, record: r });
  const steps: Array<Step.Step> = [
    ...p.first,
    ...diff.stop.flatMap((r): Array<Step.Step> => [{ _tag: "StopService", service: ref(r) }, ...p.afterStop(r.name)]),
    ...p.afterStops,
    ...diff.start.flatMap((r): Array<Step.Step> => [{ _tag: "StartService", service: ref(r) }, ...p.afterStart(r.name)]),
    ...p.last,
  ];
  const revert: Array<Step.Step> = [
    ...diff.stop.map((r): Step.Step => ({ _tag: "StopService", service: ref(r) })),
    ...p.revertAfterDown,
    ...diff.start.flatMap((r): Array<Step.Step> => [{ _tag: "StartService", service: ref(r) }, ...p.revertAfterUp(r.name)]),
    ...p.revertLast,
  ];
  return E.right(
    Plan.make(world, {
      operation: op,
      mode: "test",
      statePolicy: policy,
      nowMs,
      to: target.number,
      boot: null,
      services: { stop: diff.stop.map((r) => r.name).sort(), start: diff.start.map((r) => r.name).sort(), restart: [], reload: [], skip: [], unchanged: [] },
      state: p.entries,
      steps: steps.length === 0 ? [] : [...steps, { _tag: "Commit" }, ...p.afterCommit],
      revert,
      warnings: [],
    }),
  );
};

export const save = (world: World.World, op: Save, nowMs: number): E.Either<PlanError.PlanError, Plan.Plan> => {
  const side = runningSide(world);
  if (E.isLeft(side)) return side;
  const all = stateful(side.right.running.graph);
  for (const name of op.services) {
    if (all.some((r) => r.name === name)) continue;
    const near = Nearest.closest(name, all.map((r) => r.name));
    return E.left(PlanError.invalid(`'${name}' is not a service with state in generation ${side.right.target.number}${near === null ? "; see 'switchyard describe'" : `; did you mean '${near}'?`}`));
  }
  if (all.length === 0) return E.left(PlanError.failed(`no service of generation ${side.right.target.number} declares state; nothing to snapshot`));
  const names = new Set(op.services.length === 0 ? all.map((r) => r.name as string) : op.services);
  // `keep`: the data stays; every chosen service is stopped, so each is snapshotted.
  return build(world, op, nowMs, names, "keep", null);
};

export const restore = (world: World.World, op: Restore, nowMs: number): E.Either<PlanError.PlanError, Plan.Plan> => {
  const bad = (world.damagedSnapshots ?? []).find((d) => d.id === op.id);
  if (bad !== undefined) return E.left(PlanError.snapshotDamaged(bad.problem));
  const snapshot = (world.snapshots ?? []).find((s) => s.id === op.id);
  if (snapshot === undefined) return E.left(PlanError.invalid(`there is no snapshot ${op.id}; see 'switchyard snapshot list'`));
  const side = runningSide(world);
  if (E.isLeft(side)) return side;
  const record = side.right.running.graph.records.get(snapshot.service as ServiceRecord.ServiceName);
  const n = side.right.target.number;
  if (record?.state == null) return E.left(PlanError.invalid(`snapshot ${op.id} holds ${snapshot.service}'s data, but generation ${n} has no service ${snapshot.service} with state`));
  if (!Epoch.canRead(record.state.epoch, snapshot.epoch)) {
    return E.left(
      PlanError.stateUnreadable(`${snapshot.service}: generation ${n} reads epochs ${record.state.epoch.read.join(", ")}, but snapshot ${op.id} holds data in epoch ${Epoch.display(snapshot.epoch)}; switch to a generation that reads it first`),
    );
  }
  return build(world, op, nowMs, new Set([snapshot.service]), "restore", snapshot);
};

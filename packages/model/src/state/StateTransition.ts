/**
 * The state steps of one transition, placed around the service phases `Transition` builds:
 *
 *   dump (old code still up) → stop X → save X's snapshot → restore X's directories →
 *   … activation … → start X → load X's dump (before X's dependents start) → record the data
 *   epoch → Commit → drop the moved-aside copies.
 *
 * A service that must be restored but would not be stopped by the diff is stopped and started
 * around it (`cycled`), so its data is never replaced under a running process. The revert puts
 * the directories back while the target's services are down, reloads the replaced dump once the
 * old code is up again, and restores the data-epoch record.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import type * as ServiceDiff from "../services/ServiceDiff.js";
import * as ServiceGraph from "../services/ServiceGraph.js";
import * as ServiceRevision from "../services/ServiceRevision.js";
import * as InRootPath from "../paths/InRootPath.js";
import * as Epoch from "./Epoch.js";
import * as StateDecision from "./StateDecision.js";
import * as StateEntry from "./StateEntry.js";
import * as StateSteps from "./StateSteps.js";
import * as SnapshotStore from "./SnapshotStore.js";
import type * as StateWorld from "./StateWorld.js";

type Svc = ServiceDiff.ServiceDiff["stop"][number];

export interface Placed {
  readonly decisions: ReadonlyArray<StateDecision.Decision>;
  /** The diff to carry out: the given one, with every restored live service stopped and started. */
  readonly diff: ServiceDiff.ServiceDiff;
  /** Before the first stop: the dumps. */
  readonly first: ReadonlyArray<Step.Step>;
  /** Right after `name` is stopped: its snapshot, and its restore. */
  readonly afterStop: (name: string) => ReadonlyArray<Step.Step>;
  /** After the stop phase: snapshots and restores of services nothing stopped (not running). */
  readonly afterStops: ReadonlyArray<Step.Step>;
  /** Right after `name` is started on the target's code: its load. */
  readonly afterStart: (name: string) => ReadonlyArray<Step.Step>;
  /** Last before the commit checks: the data-epoch records. */
  readonly last: ReadonlyArray<Step.Step>;
  readonly afterCommit: ReadonlyArray<Step.Step>;
  /** Revert: after the target's services are down, after `name` is up on its old code again, and at its very end. */
  readonly revertAfterDown: ReadonlyArray<Step.Step>;
  readonly revertAfterUp: (name: string) => ReadonlyArray<Step.Step>;
  readonly revertLast: ReadonlyArray<Step.Step>;
  readonly entries: ReadonlyArray<StateEntry.StateEntry>;
}

const isIn = (list: ReadonlyArray<Svc>, name: string): boolean => list.some((r) => r.name === name);

/** `diff` with `names` (live, in the old graph) stopped before and started after, instead of restarted, reloaded or left. */
const cycled = (diff: ServiceDiff.ServiceDiff, names: ReadonlySet<string>, old: ServiceGraph.ServiceGraph, next: ServiceGraph.ServiceGraph): ServiceDiff.ServiceDiff => {
  const add = [...names].filter((n) => old.records.has(n as Svc["name"]) && next.records.has(n as Svc["name"]) && !isIn(diff.stop, n));
  if (add.length === 0) return diff;
  const drop = (list: ReadonlyArray<Svc>) => list.filter((r) => !add.includes(r.name));
  const stopNames = new Set([...diff.stop.map((r) => r.name as string), ...add]);
  const startNames = new Set([...diff.start.map((r) => r.name as string), ...add]);
  const stop = [...ServiceGraph.inDependencyOrder(old, stopNames)].reverse().map((n) => diff.stop.find((r) => r.name === n) ?? (old.records.get(n) as Svc));
  const start = ServiceGraph.inDependencyOrder(next, startNames).map((n) => diff.start.find((r) => r.name === n) ?? (next.records.get(n) as Svc));
  return {
    stop,
    start,
    restart: drop(diff.restart),
    reload: drop(diff.reload),
    skip: diff.skip.filter((n) => !add.includes(n)),
    unchanged: diff.unchanged.filter((n) => !add.includes(n)),
  };
};

const movesOf = (d: StateDecision.Decision): ReadonlyArray<StateSteps.Move> => {
  if (d.restore === null || d.target?.record.state == null) return [];
  const declared = new Set<string>(d.target.record.state.paths);
  return d.restore.paths.filter((p) => declared.has(p)).map((p) => StateSteps.moveOf(InRootPath.unsafe(p), d.restore?.id ?? ""));
};

const saveSteps = (d: StateDecision.Decision, nowMs: number, store: SnapshotStore.SnapshotStore): Array<Step.Step> => {
  const steps: Array<Step.Step> = [];
  if (d.saved !== null) {
    const s = d.saved;
    steps.push({ _tag: "SaveSnapshot", service: s.ref, snapshot: s.id, generation: s.generation, revision: s.revision, epoch: s.epoch, paths: s.paths.map(InRootPath.unsafe), dump: s.dump, takenMs: nowMs, compression: store.compression, recipients: store.recipients });
  }
  const moves = movesOf(d);
  if (d.restore !== null && moves.length > 0) steps.push({ _tag: "RestorePaths", serviceName: d.service, snapshot: d.restore.id, moves });
  return steps;
};

/** The record of the data once the target's code runs on it; null when the target does not run it (left on old code). */
const recordAfter = (d: StateDecision.Decision, diff: ServiceDiff.ServiceDiff): StateWorld.DataEpoch | null => {
  if (d.target?.record.state == null) return null;
  // A service left as it runs writes nothing new: no record, so switching to what runs stays an empty plan.
  const runsTarget = isIn(diff.start, d.service) || isIn(diff.restart, d.service) || isIn(diff.reload, d.service);
  if (!runsTarget) return null;
  return { service: d.service, epoch: d.target.record.state.epoch, generation: d.target.generation, revision: ServiceRevision.ofRef(d.target) };
};

const sameRecord = (a: StateWorld.DataEpoch | null, b: StateWorld.DataEpoch): boolean =>
  a !== null && Epoch.equals(a.epoch, b.epoch) && a.generation === b.generation && a.revision === b.revision;

export const place = (input: StateDecision.Input, recorded: (name: string) => StateWorld.DataEpoch | null, nowMs: number, store: SnapshotStore.SnapshotStore): E.Either<PlanError.PlanError, Placed> =>
  E.map((decisions: ReadonlyArray<StateDecision.Decision>): Placed => {
    const restored = new Set(decisions.filter((d) => d.restore !== null && input.live.has(d.service)).map((d) => d.service as string));
    const diff = cycled(input.diff, restored, input.running.graph, input.next);
    const byName = new Map(decisions.map((d) => [d.service as string, d]));
    const stopped = new Set(diff.stop.map((r) => r.name as string));
    const first: Array<Step.Step> = decisions.flatMap((d) => (d.saved?.dump === true ? [{ _tag: "DumpState", service: d.saved.ref, snapshot: d.saved.id } as const] : []));
    const afterStops = decisions.filter((d) => !stopped.has(d.service)).flatMap((d) => saveSteps(d, nowMs, store));
    const last: Array<Step.Step> = [];
    const revertLast: Array<Step.Step> = [];
    for (const d of decisions) {
      const after = recordAfter(d, diff);
      const before = recorded(d.service);
      if (after === null || sameRecord(before, after)) continue;
      last.push({ _tag: "SetDataEpoch", serviceName: d.service, record: after });
      revertLast.push({ _tag: "SetDataEpoch", serviceName: d.service, record: before });
    }
    const restores = decisions.filter((d) => d.restore !== null);
    const afterCommit: Array<Step.Step> = restores.flatMap((d) => {
      const moves = movesOf(d);
      return moves.length === 0 ? [] : [{ _tag: "DropAside", serviceName: d.service, paths: moves.map((m) => m.aside) } as const];
    });
    const revertAfterDown: Array<Step.Step> = restores.flatMap((d) => {
      const moves = movesOf(d);
      return moves.length === 0 || d.restore === null ? [] : [{ _tag: "UndoRestorePaths", serviceName: d.service, snapshot: d.restore.id, moves } as const];
    });
    // The replaced dump goes back into the old code's database once it is up again, before its dependents.
    const reload = new Map(
      restores.flatMap((d) => (d.saved?.dump === true && d.restore?.dump === true ? [[d.service as string, { _tag: "LoadState", service: d.saved.ref, snapshot: d.saved.id, ifSaved: true } as const] as const] : [])),
    );
    return {
      decisions,
      diff,
      first,
      afterStop: (name: string) => {
        const d = byName.get(name);
        return d === undefined ? [] : saveSteps(d, nowMs, store);
      },
      afterStops,
      afterStart: (name: string) => {
        const d = byName.get(name);
        if (d?.restore == null || d.target?.record.state?.load == null || !d.restore.dump) return [];
        return [{ _tag: "LoadState", service: d.target, snapshot: d.restore.id, ifSaved: false } as const];
      },
      last,
      afterCommit,
      revertAfterDown,
      revertAfterUp: (name: string) => {
        const step = reload.get(name);
        return step === undefined ? [] : [step];
      },
      revertLast,
      entries: decisions.map((d) => StateEntry.of(d, SnapshotStore.encrypted(store))),
    };
  })(StateDecision.decide(input));

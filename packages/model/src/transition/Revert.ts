/**
 * The way back if a step before Commit fails, computed from the forward steps themselves rather
 * than as a second switch from the target: every service they stopped is started again on the
 * code it ran, every service they started is stopped (and started again on its old code when it
 * was up before), and every one they restarted or reloaded is restarted onto its old code. The
 * records' flags (`restartIfChanged`, `stopOnRemoval`, `stopIfChanged`) play no part: they say how
 * to go forward, and going back must restore exactly what ran before. In between, the
 * current-system link gets its exact old bytes and the running generation's activation runs again.
 * Every step is idempotent, so the revert is also right after any prefix of the forward steps.
 */
import * as Activation from "./Activation.js";
import * as SystemFormat from "../world/SystemFormat.js";
import * as RestartDebt from "../services/RestartDebt.js";
import type * as ServiceDiff from "../services/ServiceDiff.js";
import * as ServiceGraph from "../services/ServiceGraph.js";
import * as ServiceRevision from "../services/ServiceRevision.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

type Ref = Step.ServiceRef;
type Record_ = Ref["record"];

/** What the forward steps were computed from, and the diff they carry out. */
export interface Forward {
  readonly diff: ServiceDiff.ServiceDiff;
  /** The services up before the apply. */
  readonly live: ReadonlySet<string>;
  /** The running generation (null system: nothing runs) and its services. */
  readonly running: { readonly system: World.Generation["system"] | null; readonly generation: World.Generation["number"] | null; readonly graph: ServiceGraph.ServiceGraph };
  readonly target: World.Generation;
}

/** `state`: the data steps the revert adds (directories put back while the target's services are down; dumps and records last). */
export interface StateRevert {
  readonly revertAfterDown: ReadonlyArray<Step.Step>;
  /** Right after `name` is up on its old code again, before what requires it. */
  readonly revertAfterUp: (name: string) => ReadonlyArray<Step.Step>;
  readonly revertLast: ReadonlyArray<Step.Step>;
}

export const steps = (world: World.World, forward: Forward, state: StateRevert | null = null): Array<Step.Step> => {
  const { diff, live, target } = forward;
  const codeOf = runningCode(world, forward);
  const stopped = new Set(diff.stop.map((r) => r.name as string));
  const onTarget = (record: Record_): Ref => ({ system: target.system, generation: target.number, record });

  // Down first, dependents before their requirements (the start list is in dependency order).
  const down = [...diff.start].reverse().filter((r) => !live.has(r.name) || stopped.has(r.name));
  // Up in place again, on what they ran: restarted, reloaded, or started while already up.
  const inPlace = new Set<string>([...diff.reload, ...diff.restart, ...diff.start.filter((r) => live.has(r.name) && !stopped.has(r.name))].map((r) => r.name));
  const ordered = [...ServiceGraph.inDependencyOrder(forward.running.graph, inPlace), ...[...inPlace].filter((n) => !forward.running.graph.records.has(n as Record_["name"]))];
  // Back up last, requirements first (the stop list is in reverse dependency order).
  const up = [...diff.stop].reverse();

  return [
    ...down.map((r): Step.Step => ({ _tag: "StopService", service: onTarget(r) })),
    ...(state?.revertAfterDown ?? []),
    ...linkBack(world, target),
    ...ordered.flatMap((name): Array<Step.Step> => {
      const ref = codeOf(name);
      return ref === null ? [] : [{ _tag: "RestartService", service: ref }];
    }),
    ...up.flatMap((r): Array<Step.Step> => [
      { _tag: "StartService", service: codeOf(r.name) ?? { system: forward.running.system ?? target.system, generation: forward.running.generation, record: r } },
      ...(state?.revertAfterUp(r.name) ?? []),
    ]),
    ...(state?.revertLast ?? []),
  ];
};

/** /run/current-system back to its exact old bytes (or removed, if there was none), then the old activation. */
const linkBack = (world: World.World, target: World.Generation): Array<Step.Step> => {
  const r = world.running;
  if (r.system === target.system) return [];
  const link: Step.Step =
    r.target === null
      ? { _tag: "RemoveLink", path: World.Paths.currentSystem, target: target.system }
      : { _tag: "ReplaceSymlink", path: World.Paths.currentSystem, target: r.target };
  return [link, ...(r.system !== null && r.manifest?._tag === "Valid" ? Activation.of(r.system, r.manifest.manifest, "revert", SystemFormat.formatOf(world, r.generation)) : [])];
};

/**
 * The reference that reproduces what a service runs now: the running generation's record, unless
 * the service manager reports another revision and the restart debt names a generation whose
 * record has exactly that revision (the service was left on older code). Null when no record of
 * it is known.
 */
const runningCode = (world: World.World, forward: Forward) => {
  const revisions = new Map(world.serviceRevisions ?? []);
  const debt = new Map(RestartDebt.standing(world).map((e) => [e.service, e.runs]));
  return (name: string): Ref | null => {
    const record = forward.running.graph.records.get(name as Record_["name"]);
    const own = record === undefined || forward.running.system === null ? null : { system: forward.running.system, generation: forward.running.generation, record };
    const revision = revisions.get(name) ?? null;
    if (revision === null || (own !== null && ServiceRevision.ofRef(own) === revision)) return own;
    const runs = debt.get(name);
    const older = runs === undefined || runs.system === null ? undefined : world.generations.find((g) => g.system === runs.system);
    if (older === undefined || older.manifest._tag !== "Valid") return own;
    const kept = older.manifest.manifest.services.find((r) => r.name === name);
    return kept !== undefined && ServiceRevision.of(older.system, kept) === revision ? { system: older.system, generation: older.number, record: kept } : own;
  };
};

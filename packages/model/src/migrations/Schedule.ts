/**
 * What runs next in a migration graph, decided from its progress record alone, so the runner
 * recomputes nothing and a resumed run decides exactly as an uninterrupted one would.
 *
 * - A migration is runnable when it is pending, every migration it requires is done, and its
 *   phase is open: "before" migrations always are; "after" ones once every "before" migration is
 *   done and the target runs (`booted`: at once for modes switch and test, after the boot into it
 *   for modes boot and try).
 * - At most `jobs` run at once; ties go to the graph's topological order.
 * - A failure stops its dependents (their requirement never becomes done); the finished stay done.
 *   A failure whose migration says `onFailure: "revert"` (the default) also stops everything not
 *   started yet, because the switch is going back; with "hold" independent migrations go on.
 * - A pause (a migration reported new items) starts nothing new until it is lifted.
 */
import type { Migration } from "../checks/Item.js";
import * as Graph from "./Graph.js";

export type Status = "pending" | "running" | "done" | "failed";

export type Progress = Readonly<Record<string, Status>>;

export interface Gate {
  /** The target runs: the "after" phase may open. */
  readonly booted: boolean;
  readonly paused: boolean;
  /** At most this many migrations run at once (at least 1). */
  readonly jobs: number;
}

export type Outcome =
  /** Something runs or can be started now. */
  | { readonly _tag: "Running" }
  | { readonly _tag: "Complete" }
  | { readonly _tag: "Paused" }
  /** Only migrations that wait for the boot into the target are left. */
  | { readonly _tag: "WaitingForBoot"; readonly waiting: ReadonlyArray<string> }
  /** Nothing more can run: `stopped` will not run unless the failed ones are retried. */
  | { readonly _tag: "Failed"; readonly failed: ReadonlyArray<string>; readonly stopped: ReadonlyArray<string>; readonly revert: boolean };

const statusOf = (progress: Progress, id: string): Status => progress[id] ?? "pending";

/** Every migration pending. */
export const start = (graph: Graph.Graph): Progress => Object.fromEntries(graph.order.map((m) => [m.id, "pending" as Status]));

/** After a crash: what was running may have stopped anywhere, so it runs again (migrations are idempotent). */
export const resumed = (progress: Progress): Progress =>
  Object.fromEntries(Object.entries(progress).map(([id, s]) => [id, s === "running" ? ("pending" as Status) : s]));

/** Whether a failure of `m` reverts the switch. */
export const reverts = (m: Migration): boolean => (m.onFailure ?? "revert") === "revert";

const revertRequested = (graph: Graph.Graph, progress: Progress): boolean =>
  graph.order.some((m) => statusOf(progress, m.id) === "failed" && reverts(m));

const phaseOpen = (graph: Graph.Graph, progress: Progress, gate: Gate) => {
  const beforeDone = graph.order.every((m) => Graph.phaseOf(m) === "after" || statusOf(progress, m.id) === "done");
  return (m: Migration): boolean => Graph.phaseOf(m) === "before" || (gate.booted && beforeDone);
};

/** The migrations to start now, given what runs already. */
export const next = (graph: Graph.Graph, progress: Progress, gate: Gate): ReadonlyArray<Migration> => {
  if (gate.paused || revertRequested(graph, progress)) return [];
  const running = graph.order.filter((m) => statusOf(progress, m.id) === "running").length;
  const free = Math.max(1, gate.jobs) - running;
  if (free <= 0) return [];
  const open = phaseOpen(graph, progress, gate);
  return graph.order
    .filter((m) => statusOf(progress, m.id) === "pending" && open(m) && Graph.requiresOf(m).every((r) => statusOf(progress, r) === "done"))
    .slice(0, free);
};

/** Where the graph stands. */
export const outcome = (graph: Graph.Graph, progress: Progress, gate: Gate): Outcome => {
  const ids = (s: Status) => graph.order.filter((m) => statusOf(progress, m.id) === s).map((m) => m.id);
  if (ids("running").length > 0 || next(graph, progress, gate).length > 0) return { _tag: "Running" };
  const pending = ids("pending");
  const failed = ids("failed");
  if (failed.length > 0) {
    const revert = revertRequested(graph, progress);
    const blocked = new Set(failed.flatMap((id) => [...Graph.downstream(graph, id)]));
    return { _tag: "Failed", failed, stopped: revert ? pending : pending.filter((id) => blocked.has(id)), revert };
  }
  // New items may still add migrations, even when everything chosen so far is done.
  if (gate.paused) return { _tag: "Paused" };
  if (pending.length === 0) return { _tag: "Complete" };
  return { _tag: "WaitingForBoot", waiting: pending };
};

/** Pending migrations that can only run once the target was booted (what `migrations` says wait for it). */
export const waitingForBoot = (graph: Graph.Graph, progress: Progress, gate: Pick<Gate, "booted">): ReadonlyArray<string> =>
  gate.booted ? [] : graph.order.filter((m) => Graph.phaseOf(m) === "after" && statusOf(progress, m.id) === "pending").map((m) => m.id);

/** The same progress with one migration's status changed. */
export const set = (progress: Progress, id: string, status: Status): Progress => ({ ...progress, [id]: status });

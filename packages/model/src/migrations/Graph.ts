/**
 * The chosen migrations as a graph by their `requires`. Building it checks everything a schedule
 * relies on, so a plan with migrations can always be carried out in some order: ids are unique,
 * every requirement names a chosen migration, there is no cycle, and nothing that runs before the
 * reboot requires something that runs after it. `order` is one topological order (the input order
 * wherever the requirements allow), used to list the graph and to break ties in the schedule.
 */
import * as E from "fp-ts/lib/Either.js";
import type { Migration } from "../checks/Item.js";

export type Phase = "before" | "after";

export interface Graph {
  readonly order: ReadonlyArray<Migration>;
  readonly byId: ReadonlyMap<string, Migration>;
  /** Migration id → the ids that require it directly. */
  readonly dependents: ReadonlyMap<string, ReadonlyArray<string>>;
}

export type GraphError =
  | { readonly _tag: "DuplicateMigration"; readonly id: string; readonly message: string }
  | { readonly _tag: "UnknownRequirement"; readonly id: string; readonly requirement: string; readonly message: string }
  | { readonly _tag: "Cycle"; readonly cycle: ReadonlyArray<string>; readonly message: string }
  | { readonly _tag: "RebootOrder"; readonly id: string; readonly requirement: string; readonly message: string };

/**
 * `reboot: "before"` runs before the machine reboots into the target; everything else belongs to
 * the target running, so in modes boot and try it waits for the boot into it.
 */
export const phaseOf = (m: Migration): Phase => (m.reboot === "before" ? "before" : "after");

export const requiresOf = (m: Migration): ReadonlyArray<string> => m.requires ?? [];

export const of = (migrations: ReadonlyArray<Migration>): E.Either<GraphError, Graph> => {
  const byId = new Map<string, Migration>();
  for (const m of migrations) {
    if (byId.has(m.id)) return E.left({ _tag: "DuplicateMigration", id: m.id, message: `migration '${m.id}' is chosen twice; choose one resolution that runs it` });
    byId.set(m.id, m);
  }
  const dependents = new Map<string, Array<string>>(migrations.map((m) => [m.id, []]));
  for (const m of migrations) {
    for (const r of requiresOf(m)) {
      const required = byId.get(r);
      if (required === undefined) {
        return E.left({ _tag: "UnknownRequirement", id: m.id, requirement: r, message: `migration '${m.id}' requires '${r}', which no chosen resolution runs; choose the resolution that runs it` });
      }
      if (phaseOf(m) === "before" && phaseOf(required) === "after") {
        return E.left({
          _tag: "RebootOrder",
          id: m.id,
          requirement: r,
          message: `migration '${m.id}' runs before the reboot but requires '${r}', which runs after it; mark '${r}' reboot: "before" or drop the requirement`,
        });
      }
      dependents.get(r)?.push(m.id);
    }
  }
  const order = topological(migrations, byId);
  if (order.length < migrations.length) {
    const cycle = findCycle(migrations.filter((m) => !order.includes(m)), byId);
    return E.left({ _tag: "Cycle", cycle, message: `the chosen migrations require each other in a cycle: ${cycle.join(" -> ")}; remove one of these requirements` });
  }
  return E.right({ order, byId, dependents });
};

/** Kahn's algorithm, always taking the first ready migration in input order. */
const topological = (migrations: ReadonlyArray<Migration>, byId: ReadonlyMap<string, Migration>): ReadonlyArray<Migration> => {
  const placed = new Set<string>();
  const order: Array<Migration> = [];
  let progress = true;
  while (progress) {
    progress = false;
    for (const m of migrations) {
      if (placed.has(m.id) || !requiresOf(m).every((r) => placed.has(r) || !byId.has(r))) continue;
      placed.add(m.id);
      order.push(m);
      progress = true;
      break;
    }
  }
  return order;
};

/** One cycle among migrations that could not be ordered, as a path that returns to its start. */
const findCycle = (left: ReadonlyArray<Migration>, byId: ReadonlyMap<string, Migration>): ReadonlyArray<string> => {
  const inLeft = new Set(left.map((m) => m.id));
  const path: Array<string> = [];
  let at = left[0]?.id;
  // Every migration left has a requirement left (or it would have been ordered): follow them until one repeats.
  while (at !== undefined && !path.includes(at)) {
    path.push(at);
    at = requiresOf(byId.get(at) as Migration).find((r) => inLeft.has(r));
  }
  return at === undefined ? path : [...path.slice(path.indexOf(at)), at];
};

/** Every migration that depends on `id`, directly or through others. */
export const downstream = (graph: Graph, id: string): ReadonlySet<string> => {
  const found = new Set<string>();
  const queue = [...(graph.dependents.get(id) ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (found.has(next)) continue;
    found.add(next);
    queue.push(...(graph.dependents.get(next) ?? []));
  }
  return found;
};

/**
 * Stepped paths: when the target cannot read a service's data but a chain of generations can
 * migrate it (data in 0, generation 2 reads 0 and writes 1, generation 3 reads 1: 0 → 1* → 2*),
 * the chain is found here, from the generations alone. `apply switch N --stepped` asks `next`
 * again before each hop, on a freshly observed machine, and switches there; each hop is an
 * ordinary transition, committed before the next is planned. A hop is possible when every
 * stateful service of that generation can read the data of it on disk at that point.
 */
import type * as ServiceRecord from "../services/ServiceRecord.js";
import * as ServiceRevision from "../services/ServiceRevision.js";
import type * as World from "../world/World.js";
import * as Epoch from "./Epoch.js";
import * as StateWorld from "./StateWorld.js";

export interface Hop {
  readonly generation: number;
  /** The epoch of each stateful service's data after the hop, by name. */
  readonly epochs: ReadonlyMap<string, Epoch.Epoch>;
}

/** A chain: where the data starts (the writer's generation, if known) and each generation switched to. */
export interface Chain {
  readonly start: ReadonlyMap<string, { readonly epoch: Epoch.Epoch; readonly generation: number | null }>;
  readonly hops: ReadonlyArray<Hop>;
}

const statesOf = (g: World.Generation): ReadonlyMap<string, Epoch.Epoch> => {
  const out = new Map<string, Epoch.Epoch>();
  if (g.manifest._tag !== "Valid") return out;
  for (const r of g.manifest.manifest.services as ReadonlyArray<ServiceRecord.ServiceRecord>) if (r.state !== null) out.set(r.name, r.state.epoch);
  return out;
};

const readsAll = (epochs: ReadonlyMap<string, Epoch.Epoch>, data: ReadonlyMap<string, Epoch.Epoch>, only: ReadonlySet<string> | null): boolean =>
  [...epochs].every(([name, e]) => (only !== null && !only.has(name)) || !data.has(name) || Epoch.canRead(e, data.get(name) as Epoch.Epoch));

/**
 * The shortest chain of generations ending at `target` along which every hop can read the data
 * it finds (`only`: consider just these services), or null when there is none. The start is the
 * data on disk; a chain of one hop means the target reads it directly.
 */
export const chain = (
  world: World.World,
  data: ReadonlyArray<StateWorld.DataEpoch>,
  target: number,
  only: ReadonlySet<string> | null = null,
  skip: number | null = null,
): Chain | null => {
  const start = new Map(data.map((d) => [d.service, { epoch: d.epoch, generation: d.generation }] as const));
  const initial = new Map(data.map((d) => [d.service, d.epoch] as const));
  const nodes = world.generations.map((g) => ({ number: g.number as number, epochs: statesOf(g) })).filter((n) => (n.epochs.size > 0 && n.number !== skip) || n.number === target);
  // Breadth first from the data on disk; each generation is entered once, at its shortest distance.
  let frontier: Array<{ readonly data: ReadonlyMap<string, Epoch.Epoch>; readonly hops: ReadonlyArray<Hop> }> = [{ data: initial, hops: [] }];
  const seen = new Set<number>();
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const at of frontier) {
      for (const node of nodes) {
        if (seen.has(node.number) || !readsAll(node.epochs, at.data, only)) continue;
        const after = new Map(at.data);
        for (const [name, e] of node.epochs) after.set(name, e);
        const hops = [...at.hops, { generation: node.number, epochs: node.epochs }];
        if (node.number === target) return { start, hops };
        seen.add(node.number);
        next.push({ data: after, hops });
      }
    }
    frontier = next;
  }
  return null;
};

/** The chain for one service's data, as the refusal names it; null when none exists or the target reads it directly. */
export const chainFor = (world: World.World, name: string, data: StateWorld.DataEpoch, target: number): Chain | null => {
  const found = chain(world, [data], target, new Set([name]));
  return found === null || found.hops.length < 2 ? null : found;
};

/** "1 (epoch 0) → 2 (1*) → 3 (2*)", for the first service of the chain's start. */
export const describeChain = (c: Chain): string => {
  const [name, first] = [...c.start][0] ?? ["", { epoch: Epoch.zero, generation: null }];
  const from = `${first.generation ?? "?"} (epoch ${Epoch.display(first.epoch)})`;
  return [from, ...c.hops.map((h) => `${h.generation} (${Epoch.display(h.epochs.get(name) ?? Epoch.zero)})`)].join(" → ");
};

/**
 * The data of every service that has state on disk: its record, or else what the running revision
 * declares it writes. Only the records and the running manifest are read, never the other
 * generations' manifests: a plan must not read all 10,000 of them to learn which data exists.
 */
export const dataOnDisk = (world: World.World): ReadonlyArray<StateWorld.DataEpoch> => {
  const running = world.running.manifest?._tag === "Valid" ? world.running.manifest.manifest.services : [];
  const found = new Map<string, StateWorld.DataEpoch>();
  for (const d of world.dataEpochs ?? []) found.set(d.service, d);
  for (const r of running) {
    if (r.state === null || found.has(r.name) || world.running.system === null) continue;
    found.set(r.name, { service: r.name, epoch: r.state.epoch, generation: world.running.generation, revision: ServiceRevision.of(world.running.system, r) });
  }
  return [...found.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
};

/**
 * The next generation to switch to on the way to `target`: null once the target runs and is
 * current, or when no chain exists (the target's own plan then says why). The running
 * generation is no hop: switching to it changes no data.
 */
export const next = (world: World.World, target: number): number | null => {
  if (world.running.generation === target && world.current === target) return null;
  const found = chain(world, dataOnDisk(world), target, null, world.running.generation);
  return found === null || found.hops.length < 1 ? target : (found.hops[0] as Hop).generation;
};

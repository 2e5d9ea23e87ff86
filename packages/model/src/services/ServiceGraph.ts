/**
 * The requirement graph of one generation's services: requirements resolved to the services that
 * provide them, a deterministic dependency order, and the errors a manifest can have here
 * (unknown requirement, ambiguous provision, cycle).
 */
import * as E from "fp-ts/lib/Either.js";
import * as ServiceRecord from "./ServiceRecord.js";

type Name = ServiceRecord.ServiceName;

export interface ServiceGraph {
  readonly records: ReadonlyMap<Name, ServiceRecord.ServiceRecord>;
  /** Each service's resolved requirements (service names, not provisions). */
  readonly requires: ReadonlyMap<Name, ReadonlySet<Name>>;
  /** Every service, requirements before the services that need them; ties broken by name. */
  readonly order: ReadonlyArray<Name>;
}

export type GraphError =
  | { readonly _tag: "DuplicateName"; readonly index: number; readonly name: string }
  | { readonly _tag: "AmbiguousProvision"; readonly index: number; readonly provision: string; readonly providers: readonly [string, string] }
  | { readonly _tag: "UnknownRequirement"; readonly index: number; readonly service: string; readonly requirement: string; readonly position: number }
  | { readonly _tag: "Cycle"; readonly index: number; readonly cycle: ReadonlyArray<string> };

export const build = (records: ReadonlyArray<ServiceRecord.ServiceRecord>): E.Either<GraphError, ServiceGraph> => {
  const byName = new Map<Name, ServiceRecord.ServiceRecord>();
  const indexOf = new Map<Name, number>();
  const provider = new Map<string, Name>();
  for (const [index, record] of records.entries()) {
    if (byName.has(record.name)) return E.left({ _tag: "DuplicateName", index, name: record.name });
    byName.set(record.name, record);
    indexOf.set(record.name, index);
  }
  for (const [index, record] of records.entries()) {
    for (const provision of ServiceRecord.namesOf(record)) {
      const other = provider.get(provision);
      if (other !== undefined && other !== record.name) {
        return E.left({ _tag: "AmbiguousProvision", index, provision, providers: [other, record.name] });
      }
      provider.set(provision, record.name);
    }
  }
  const requires = new Map<Name, ReadonlySet<Name>>();
  for (const [index, record] of records.entries()) {
    const resolved = new Set<Name>();
    for (const [position, requirement] of record.requires.entries()) {
      const p = provider.get(requirement);
      if (p === undefined) return E.left({ _tag: "UnknownRequirement", index, service: record.name, requirement, position });
      if (p !== record.name) resolved.add(p);
    }
    requires.set(record.name, resolved);
  }
  const sorted = topologicalOrder([...byName.keys()], requires);
  if (E.isLeft(sorted)) {
    const first = sorted.left[0] as Name;
    return E.left({ _tag: "Cycle", index: indexOf.get(first) ?? 0, cycle: sorted.left });
  }
  return E.right({ records: byName, requires, order: sorted.right });
};

/** An empty graph, for a generation whose services are unknown. */
export const empty: ServiceGraph = { records: new Map(), requires: new Map(), order: [] };

/**
 * Kahn's algorithm taking the smallest ready name each time (a binary heap: the ready set of 1,000
 * services is not sorted again after every release), so equal inputs always give the same order.
 * Left carries one cycle, written as a path that returns to its start.
 */
const topologicalOrder = (
  names: ReadonlyArray<Name>,
  requires: ReadonlyMap<Name, ReadonlySet<Name>>,
): E.Either<ReadonlyArray<string>, ReadonlyArray<Name>> => {
  const pending = new Map<Name, number>();
  const dependents = new Map<Name, Array<Name>>();
  for (const name of names) {
    pending.set(name, requires.get(name)?.size ?? 0);
    for (const r of requires.get(name) ?? []) {
      const list = dependents.get(r) ?? [];
      list.push(name);
      dependents.set(r, list);
    }
  }
  const ready = new MinHeap();
  for (const n of names) if (pending.get(n) === 0) ready.push(n);
  const order: Array<Name> = [];
  while (ready.size > 0) {
    const next = ready.pop() as Name;
    order.push(next);
    for (const d of dependents.get(next) ?? []) {
      const left = (pending.get(d) ?? 0) - 1;
      pending.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length === names.length) return E.right(order);
  return E.left(findCycle(names.filter((n) => (pending.get(n) ?? 0) > 0), requires));
};

/** Names, smallest (by `compareNames`) first. */
class MinHeap {
  readonly #items: Array<Name> = [];
  get size(): number {
    return this.#items.length;
  }
  push(name: Name): void {
    const a = this.#items;
    a.push(name);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as Name) <= name) break;
      a[i] = a[parent] as Name;
      a[parent] = name;
      i = parent;
    }
  }
  pop(): Name | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && (a[l] as Name) < (a[m] as Name)) m = l;
      if (r < a.length && (a[r] as Name) < (a[m] as Name)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m] as Name, a[i] as Name];
      i = m;
    }
    return top;
  }
}

const findCycle = (stuck: ReadonlyArray<Name>, requires: ReadonlyMap<Name, ReadonlySet<Name>>): ReadonlyArray<string> => {
  const inStuck = new Set(stuck);
  const start = [...stuck].sort(compareNames)[0] as Name;
  const path: Array<Name> = [];
  const seenAt = new Map<Name, number>();
  let at: Name | undefined = start;
  while (at !== undefined && !seenAt.has(at)) {
    seenAt.set(at, path.length);
    path.push(at);
    at = [...(requires.get(at) ?? [])].filter((r) => inStuck.has(r)).sort(compareNames)[0];
  }
  if (at === undefined) return path;
  const cycle = path.slice(seenAt.get(at));
  return [...cycle, at];
};

export const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `subset` in dependency order (requirements first). */
export const inDependencyOrder = (graph: ServiceGraph, subset: ReadonlySet<string>): ReadonlyArray<Name> =>
  graph.order.filter((n) => subset.has(n));

/**
 * Every service that requires any of `names`, directly or through others (not including `names`).
 * One pass in dependency order suffices: a requirement comes before whatever requires it.
 */
export const dependentsOf = (graph: ServiceGraph, names: ReadonlySet<string>): ReadonlySet<Name> => {
  const result = new Set<Name>();
  if (names.size === 0) return result;
  for (const name of graph.order) {
    if (names.has(name)) continue;
    for (const r of graph.requires.get(name) ?? []) {
      if (names.has(r) || result.has(r)) {
        result.add(name);
        break;
      }
    }
  }
  return result;
};

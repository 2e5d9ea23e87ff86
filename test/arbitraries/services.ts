/**
 * fast-check arbitraries for service generations. `serviceRecords` yields record lists that always
 * build into a graph (unique names and provisions, requirements that resolve, no cycles); `mutate`
 * derives a next generation from a previous one by adding, removing and changing records in every
 * class of change (none, reload, restart, flags, requirements); `switchScenario` adds a live set.
 * Shared by every test that needs service graphs, so each piece is exported on its own.
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import * as ServiceGraph from "../../packages/model/src/services/ServiceGraph.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";

type Svc = ServiceRecord.ServiceRecord;
type Name = ServiceRecord.ServiceName;

/** Names (and provisions) matching `[a-z][a-z0-9-]*`, short so that collisions get tried. */
export const serviceName: fc.Arbitrary<Name> = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/).map((s) => s as Name);

/** A non-empty argv, as `start` / `stop` / `reload` require (a relative program never climbs out of its system directory). */
export const argv: fc.Arbitrary<ReadonlyArray<string>> = fc
  .array(fc.stringMatching(/^[a-z/.-]{1,6}$/), { minLength: 1, maxLength: 3 })
  .filter((words) => ServiceRecord.ServiceRecordInput.is({ name: "x", start: words }));

export const env: fc.Arbitrary<Readonly<Record<string, string>>> = fc.dictionary(
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,4}$/),
  fc.string({ maxLength: 4 }),
  { maxKeys: 3 },
);

export const reloadTriggers: fc.Arbitrary<ReadonlyArray<string>> = fc.array(fc.stringMatching(/^[0-9a-f]{4}$/), { maxLength: 2 });

/** Mostly the default, so that the interesting default paths (stop+start) dominate but every flag gets flipped. */
const flag = (fallback: boolean): fc.Arbitrary<boolean> =>
  fc.oneof({ arbitrary: fc.constant(fallback), weight: 2 }, { arbitrary: fc.boolean(), weight: 1 });

export const flags = fc.record({
  restartIfChanged: flag(true),
  stopIfChanged: flag(true),
  reloadIfChanged: flag(false),
  stopOnRemoval: flag(true),
});

/** Everything of a record except name, provides and requires, which depend on the rest of the graph. */
export const recordBody = fc.record({
  start: argv,
  stop: fc.option(argv, { nil: null }),
  reload: fc.option(argv, { nil: null }),
  env,
  description: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
  reloadTriggers,
  flags,
});
export type RecordBody = typeof recordBody extends fc.Arbitrary<infer B> ? B : never;

/** Requirement picks: (which earlier record, which of its names), resolved modulo what exists. */
const picks = fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 });
type Picks = ReadonlyArray<readonly [number, number]>;

const assemble = (name: Name, body: RecordBody, provides: ReadonlyArray<string>, requires: ReadonlyArray<string>): Svc => ({
  name,
  provides,
  requires,
  start: body.start,
  stop: body.stop,
  reload: body.reload,
  env: body.env,
  description: body.description,
  reloadTriggers: body.reloadTriggers,
  ...body.flags,
  user: null,
  group: null,
  state: null,
});

/** Requirements of a record that may only need `earlier` (which keeps the graph acyclic). */
const requirementsFrom = (earlier: ReadonlyArray<Svc>, chosen: Picks): ReadonlyArray<string> => {
  if (earlier.length === 0) return [];
  const out: Array<string> = [];
  const targets = new Set<string>();
  for (const [which, alias] of chosen) {
    const target = earlier[which % earlier.length] as Svc;
    if (targets.has(target.name)) continue;
    targets.add(target.name);
    const aliases = ServiceRecord.namesOf(target);
    out.push(aliases[alias % aliases.length] as string);
  }
  return out;
};

export interface RecordsConstraints {
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** A valid generation's records, in shuffled order (the graph must not depend on it). */
export const serviceRecords = (constraints: RecordsConstraints = {}): fc.Arbitrary<ReadonlyArray<Svc>> => {
  const min = constraints.minLength ?? 0;
  const max = constraints.maxLength ?? 8;
  return fc.integer({ min, max }).chain((n) =>
    fc
      .record({
        // One pool for names and extra provisions: a provision equal to another name would be ambiguous.
        pool: fc.uniqueArray(serviceName, { minLength: n, maxLength: n + 3 }),
        owners: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        selfProvided: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        bodies: fc.array(recordBody, { minLength: n, maxLength: n }),
        requires: fc.array(picks, { minLength: n, maxLength: n }),
      })
      .map(({ pool, owners, selfProvided, bodies, requires }) => {
        const names = pool.slice(0, n);
        const extras = new Map<number, Array<string>>();
        pool.slice(n).forEach((provision, i) => {
          if (n === 0) return;
          const owner = (owners[i] ?? 0) % n;
          extras.set(owner, [...(extras.get(owner) ?? []), provision]);
        });
        const records: Array<Svc> = [];
        names.forEach((name, i) => {
          const own = extras.get(i) ?? [];
          // Explicit provides with or without the own name: `namesOf` must cope with both.
          const provides = selfProvided[i] || own.length === 0 ? [name, ...own] : own;
          records.push(assemble(name, bodies[i] as RecordBody, provides, requirementsFrom(records, requires[i] ?? [])));
        });
        return records;
      })
      .chain((records) => fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length })),
  );
};

/** Build, or throw: the arbitraries only ever produce valid graphs, so a Left is a bug in them. */
export const graphOf = (records: ReadonlyArray<Svc>): ServiceGraph.ServiceGraph => {
  const g = ServiceGraph.build(records);
  if (E.isLeft(g)) throw new Error(`arbitrary produced an invalid service graph: ${JSON.stringify(g.left)}`);
  return g.right;
};

export const serviceGraph = (constraints: RecordsConstraints = {}): fc.Arbitrary<ServiceGraph.ServiceGraph> =>
  serviceRecords(constraints).map(graphOf);

/**
 * One edit of a kept record, named after the class of change it aims at. An edit may happen to
 * reproduce the old value; properties must not assume the class, only `ServiceDiff.classify` decides.
 */
export const editKinds = [
  "keep", // none
  "remove",
  "describe", // none: description is ignored
  "reorderEnv", // none: env is a map
  "dropReload", // none: removing reload / triggers leaves nothing to do
  "reload", // reload-class
  "triggers", // reload-class
  "start", // restart-class
  "env", // restart-class
  "stop", // restart-class
  "requires", // restart-class
  "provides", // restart-class
  "flags", // restart-class
] as const;
export type EditKind = (typeof editKinds)[number];

const edit = fc.record({
  kind: fc.oneof({ arbitrary: fc.constant<EditKind>("keep"), weight: 4 }, { arbitrary: fc.constantFrom(...editKinds), weight: 5 }),
  argv,
  stop: fc.option(argv, { nil: null }),
  triggers: fc.array(fc.stringMatching(/^[0-9a-f]{4}$/), { minLength: 1, maxLength: 2 }),
  text: fc.string({ maxLength: 4 }),
  token: serviceName,
  flags,
  picks,
});
type Edit = typeof edit extends fc.Arbitrary<infer A> ? A : never;

const applyEdit = (r: Svc, e: Edit, earlier: ReadonlyArray<Svc>, fresh: (token: string) => string | null): Svc => {
  switch (e.kind) {
    case "keep":
    case "remove":
      return r;
    case "describe":
      return { ...r, description: e.text };
    case "reorderEnv":
      return { ...r, env: Object.fromEntries(Object.entries(r.env).reverse()) };
    case "dropReload":
      return { ...r, reload: null, reloadTriggers: [] };
    case "reload":
      return { ...r, reload: e.argv };
    case "triggers":
      return { ...r, reloadTriggers: e.triggers };
    case "start":
      return { ...r, start: e.argv };
    case "env":
      return { ...r, env: { ...r.env, [`K${e.token.toUpperCase().replace(/-/g, "_")}`]: e.text } };
    case "stop":
      return { ...r, stop: e.stop };
    case "requires":
      return { ...r, requires: requirementsFrom(earlier, e.picks) };
    case "provides": {
      const p = fresh(e.token);
      return p === null ? r : { ...r, provides: [...r.provides, p] };
    }
    case "flags":
      return { ...r, ...e.flags };
  }
};

/**
 * A next generation derived from `previous` (which must build). Kept records only ever gain
 * requirements on records before them in the old dependency order and added records only on
 * records before them, so the result stays acyclic; requirements left dangling by a removal are
 * dropped (a restart-class change of the requirer, as in a real edit).
 */
export const mutate = (previous: ReadonlyArray<Svc>): fc.Arbitrary<ReadonlyArray<Svc>> => {
  const graph = graphOf(previous);
  const n = graph.order.length;
  return fc
    .record({
      edits: fc.array(fc.array(edit, { minLength: 1, maxLength: 2 }), { minLength: n, maxLength: n }),
      added: fc.uniqueArray(serviceName, { maxLength: 3 }),
      addedBodies: fc.array(recordBody, { minLength: 3, maxLength: 3 }),
      addedPicks: fc.array(picks, { minLength: 3, maxLength: 3 }),
    })
    .map(({ edits, added, addedBodies, addedPicks }) => {
      const used = new Set(previous.flatMap((r) => ServiceRecord.namesOf(r)));
      const fresh = (token: string): string | null => {
        if (used.has(token)) return null;
        used.add(token);
        return token;
      };
      const kept: Array<Svc> = [];
      graph.order.forEach((name, p) => {
        const es = edits[p] ?? [];
        if (es.some((e) => e.kind === "remove")) return;
        kept.push(es.reduce((r, e) => applyEdit(r, e, kept, fresh), graph.records.get(name) as Svc));
      });
      const all = [...kept];
      added.forEach((token, i) => {
        const name = fresh(token);
        if (name === null) return;
        all.push(assemble(name as Name, addedBodies[i] as RecordBody, [name], requirementsFrom(all, addedPicks[i] ?? [])));
      });
      const resolvable = new Set(all.flatMap((r) => ServiceRecord.namesOf(r)));
      const repaired = all.map((r) => (r.requires.every((q) => resolvable.has(q)) ? r : { ...r, requires: r.requires.filter((q) => resolvable.has(q)) }));
      // Keep the caller's record order for survivors, additions last.
      const position = new Map(previous.map((r, i) => [r.name as string, i]));
      return repaired.sort((a, b) => (position.get(a.name) ?? Infinity) - (position.get(b.name) ?? Infinity));
    });
};

export interface GenerationPair {
  readonly previous: ReadonlyArray<Svc>;
  readonly next: ReadonlyArray<Svc>;
}

export const generationPair = (constraints: RecordsConstraints = {}): fc.Arbitrary<GenerationPair> =>
  serviceRecords(constraints).chain((previous) => mutate(previous).map((next) => ({ previous, next })));

export interface SwitchScenario {
  readonly old: ServiceGraph.ServiceGraph;
  readonly next: ServiceGraph.ServiceGraph;
  /** Names the service manager reports up; may include names in neither graph (unmanaged services). */
  readonly live: ReadonlySet<string>;
}

/** Live set: usually all of old (the no-manager case), else any subset of old ∪ next ∪ unmanaged names. */
export const liveSet = (old: ServiceGraph.ServiceGraph, next: ServiceGraph.ServiceGraph): fc.Arbitrary<ReadonlySet<string>> => {
  const oldNames = [...old.records.keys()] as ReadonlyArray<string>;
  const known = new Set<string>([...oldNames, ...next.records.keys()]);
  const unmanaged = fc.uniqueArray(serviceName, { maxLength: 2 }).map((ns) => ns.filter((x) => !known.has(x)));
  return fc.oneof(
    { arbitrary: fc.constant(new Set(oldNames)), weight: 3 },
    { arbitrary: fc.subarray([...oldNames]).map((ns) => new Set(ns)), weight: 2 },
    {
      arbitrary: fc.tuple(fc.subarray([...known]), unmanaged).map(([ns, extra]) => new Set([...ns, ...extra])),
      weight: 1,
    },
  );
};

export const switchScenario = (constraints: RecordsConstraints = {}): fc.Arbitrary<SwitchScenario> =>
  generationPair(constraints).chain(({ previous, next }) => {
    const oldGraph = graphOf(previous);
    const nextGraph = graphOf(next);
    return liveSet(oldGraph, nextGraph).map((live) => ({ old: oldGraph, next: nextGraph, live }));
  });

/** A normalised record written back as manifest input (defaults included, which is allowed). */
export const asInput = (records: ReadonlyArray<ServiceRecord.ServiceRecord>): ReadonlyArray<ServiceRecord.ServiceRecordInput> =>
  records.map((r) => ({
    name: r.name,
    start: [...r.start],
    requires: [...r.requires],
    provides: [...r.provides],
    env: { ...r.env },
    reloadTriggers: [...r.reloadTriggers],
    restartIfChanged: r.restartIfChanged,
    stopIfChanged: r.stopIfChanged,
    reloadIfChanged: r.reloadIfChanged,
    stopOnRemoval: r.stopOnRemoval,
    ...(r.description === null ? {} : { description: r.description }),
    ...(r.stop === null ? {} : { stop: [...r.stop] }),
    ...(r.reload === null ? {} : { reload: [...r.reload] }),
  }));

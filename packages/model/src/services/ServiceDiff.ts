/**
 * What a switch does to services: given the running generation's service graph, the target's, the
 * names the service manager reports up and what each of them runs, decide which services to stop
 * before activation and which to start, restart or reload after it, and which to leave alone. The
 * rules restate NixOS switch-to-configuration (research notes nixos.md §1.3–1.4) for our
 * `ServiceRecord`s; the "conservative" policy is Guix's (never stop a service that stays, let it
 * run old code). What runs is compared with the target, not only record with record: a service
 * already on the target's revision is left alone, and one whose record did not change but whose
 * code did (another system directory, or left on older code by an earlier switch) is changed.
 */
import type * as Plan from "../plan/Plan.js";
import type { ServicesPolicy } from "../plan/Request.js";
import * as ServiceGraph from "./ServiceGraph.js";
import * as ServiceRecord from "./ServiceRecord.js";

type Name = ServiceRecord.ServiceName;
type Svc = ServiceRecord.ServiceRecord;


/** Stop lists OLD records, every other record list NEW ones; a stopped-then-started service is in both stop and start. */
export interface ServiceDiff {
  /** Reverse dependency order of the old graph: dependents are stopped before what they require. */
  readonly stop: ReadonlyArray<Svc>;
  /** Dependency order of the new graph, requirements first (and likewise restart and reload). */
  readonly start: ReadonlyArray<Svc>;
  readonly restart: ReadonlyArray<Svc>;
  readonly reload: ReadonlyArray<Svc>;
  /** Sorted: changed but left on old code, or removed but kept running (old `stopOnRemoval: false`). */
  readonly skip: ReadonlyArray<string>;
  /** Sorted: running and identical. */
  readonly unchanged: ReadonlyArray<string>;
}

/**
 * What the service manager says each live service runs, against the target's revision of it:
 * "target" when it runs exactly that already, "other" when it runs something else. A name that is
 * absent is unknown (no manager to ask, or no revision recorded): then the records alone decide.
 */
export type Runs = ReadonlyMap<string, "target" | "other">;

const UNKNOWN: Runs = new Map();

/** Defined with the request it is part of, once. */
export type Policy = ServicesPolicy;

export type ChangeClass = "none" | "reload" | "restart";

/**
 * How each field takes part in the comparison. A mapped type over the record's keys, so adding a
 * field to `ServiceRecord` does not compile until someone decides what changing it means.
 */
const FIELD_RULES: { readonly [K in keyof Svc]-?: "ignore" | "reload" | "restart" } = {
  name: "restart",
  provides: "restart",
  requires: "restart",
  start: "restart",
  stop: "restart",
  reload: "reload",
  env: "restart",
  // Cosmetic: the running process cannot tell (NixOS ignores [Unit] Description too).
  description: "ignore",
  reloadTriggers: "reload",
  // The flags themselves are restart-class, as NixOS treats the X-* keys.
  restartIfChanged: "restart",
  stopIfChanged: "restart",
  reloadIfChanged: "restart",
  stopOnRemoval: "restart",
  // Another account, other data directories or another epoch: the process must start again.
  user: "restart",
  group: "restart",
  state: "restart",
};

const FIELDS = Object.keys(FIELD_RULES) as ReadonlyArray<keyof Svc>;

/** The fields a switch compares, in a fixed order: what a service's revision is a digest of. */
export const SIGNIFICANT_FIELDS: ReadonlyArray<keyof Svc> = FIELDS.filter((f) => FIELD_RULES[f] !== "ignore");

/** Field by field; a restart-class difference anywhere wins over any reload-class one. */
export const classify = (before: Svc, after: Svc): ChangeClass => {
  let result: ChangeClass = "none";
  for (const field of FIELDS) {
    const rule = FIELD_RULES[field];
    if (rule === "ignore" || same(before[field], after[field])) continue;
    if (rule === "restart") return "restart";
    // Dropping a reload command or triggers leaves nothing to do for the running process.
    if (!isAbsent(after[field])) result = "reload";
  }
  return result;
};

/** The fields that differ and take part in the comparison, in the record's field order: what a diff names. */
export const changedFields = (before: Svc, after: Svc): ReadonlyArray<keyof Svc> =>
  FIELDS.filter((field) => FIELD_RULES[field] !== "ignore" && !same(before[field], after[field]));

/** Arrays element-wise, records as key/value maps (key order is irrelevant), everything else by identity. */
const same = (x: unknown, y: unknown): boolean => {
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => v === y[i]);
  if (isMap(x) && isMap(y)) {
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
  }
  return false;
};

const isMap = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null && !Array.isArray(u);

/** The normalised form of an omitted reload / reloadTriggers. */
const isAbsent = (u: unknown): boolean => u === null || (Array.isArray(u) && u.length === 0);

/** What happens to one live service that stays and changed (rule 4). */
type Action = "reload" | "skip" | "restart" | "cycle";

const onChange = (change: "reload" | "restart", before: Svc, after: Svc): Action => {
  // A reload-class change reloads whenever there is a command; a restart-class one only if asked to.
  if (after.reload !== null && (change === "reload" || after.reloadIfChanged)) return "reload";
  if (!after.restartIfChanged) return "skip";
  // Data is archived while its service is stopped, between the old code and the new: never in place.
  if (!after.stopIfChanged && before.state === null && after.state === null) return "restart";
  return "cycle";
};

/**
 * `old` is the running generation's graph, `next` the target's, `live` the names the service
 * manager reports up (the caller passes old's names when there is no manager to ask), `runs` what
 * those run compared with the target.
 */
export const between = (
  old: ServiceGraph.ServiceGraph,
  next: ServiceGraph.ServiceGraph,
  live: ReadonlySet<string>,
  policy: Policy = "live",
  runs: Runs = UNKNOWN,
): ServiceDiff => {
  const stop = new Set<Name>();
  const start = new Set<Name>();
  const restart = new Set<Name>();
  const reload = new Set<Name>();
  const skip = new Set<Name>();
  const unchanged = new Set<Name>();

  for (const name of new Set([...old.records.keys(), ...next.records.keys()])) {
    const before = old.records.get(name);
    const after = next.records.get(name);
    if (after === undefined) {
      // Removal reads the OLD record: it is the one that knows whether it may be stopped.
      if (before !== undefined && live.has(name)) (before.stopOnRemoval ? stop : skip).add(name);
      continue;
    }
    // Not running: after a switch every service of the target should be up.
    if (!live.has(name)) {
      start.add(name);
      continue;
    }
    // Already on the target's code, whatever record the running generation has for it.
    if (runs.get(name) === "target") {
      unchanged.add(name);
      continue;
    }
    // New to the running generation but up (kept from an earlier one): bring it onto the target's.
    if (before === undefined) {
      start.add(name);
      continue;
    }
    // The same record, but other code: what runs changed as much as any restart-class field would.
    const records = classify(before, after);
    const change = records === "none" && runs.get(name) === "other" ? "restart" : records;
    if (change === "none") {
      unchanged.add(name);
      continue;
    }
    if (policy === "conservative") {
      skip.add(name);
      continue;
    }
    switch (onChange(change, before, after)) {
      case "reload":
        reload.add(name);
        break;
      case "skip":
        skip.add(name);
        break;
      case "restart":
        restart.add(name);
        break;
      case "cycle":
        stop.add(name);
        start.add(name);
        break;
    }
  }

  if (policy === "live") {
    // A live service whose (old) requirement goes down must go down first and come back after it.
    // `dependentsOf` is already transitive over the whole old graph, so one pass reaches the fixpoint.
    for (const name of ServiceGraph.dependentsOf(old, stop)) {
      if (!live.has(name) || !next.records.has(name)) continue;
      restart.delete(name);
      reload.delete(name);
      skip.delete(name);
      unchanged.delete(name);
      stop.add(name);
      start.add(name);
    }
  }

  return {
    stop: recordsOf(old, [...ServiceGraph.inDependencyOrder(old, stop)].reverse()),
    start: recordsOf(next, ServiceGraph.inDependencyOrder(next, start)),
    restart: recordsOf(next, ServiceGraph.inDependencyOrder(next, restart)),
    reload: recordsOf(next, ServiceGraph.inDependencyOrder(next, reload)),
    skip: sorted(skip),
    unchanged: sorted(unchanged),
  };
};

const recordsOf = (graph: ServiceGraph.ServiceGraph, names: ReadonlyArray<Name>): ReadonlyArray<Svc> =>
  names.map((n) => graph.records.get(n) as Svc);

const sorted = (names: Iterable<string>): ReadonlyArray<string> => [...names].sort(ServiceGraph.compareNames);

/** The plan's view: name lists, each sorted (the order of execution lives in the steps, not here). */
export const summary = (diff: ServiceDiff): Plan.ServiceSummary => {
  const names = (records: ReadonlyArray<Svc>) => sorted(records.map((r) => r.name));
  return {
    stop: names(diff.stop),
    start: names(diff.start),
    restart: names(diff.restart),
    reload: names(diff.reload),
    skip: sorted(diff.skip),
    unchanged: sorted(diff.unchanged),
  };
};

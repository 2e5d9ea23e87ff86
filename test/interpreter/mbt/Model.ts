/**
 * The model of the crash MBT: what a user of switchyard believes about the machine, much simpler
 * than the machine itself — the generation numbers with their system directories, which one is
 * current (the profile, the boot default), which one runs (`/run/current-system`), which one was
 * booted (fixed for the whole run), which generation's code each service runs, and every system
 * directory ever built. Each operation has an expected effect on it: refused (the plan cannot be
 * made), or the next state. The commands (one per file) decide from it whether they apply
 * (`check`) and what the machine must look like after them.
 */
import type * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";

export interface Generation {
  readonly number: number;
  /** In-root path of its system directory. */
  readonly system: string;
}

/** The part of the model that operations change. */
export interface State {
  /** Ascending by number. */
  readonly generations: ReadonlyArray<Generation>;
  /** The profile's generation: also the boot default. */
  readonly current: number;
  /** The generation whose system `/run/current-system` points to. */
  readonly running: number;
  /** Service name -> the generation whose record (code) it runs. */
  readonly services: Readonly<Record<string, number>>;
}

export interface Model extends State {
  generations: ReadonlyArray<Generation>;
  current: number;
  running: number;
  services: Readonly<Record<string, number>>;
  /** Never changes: `/run/booted-system` is written by the boot process, not by switchyard. */
  readonly booted: number;
  /** Every system directory built so far (adds that were reverted included): none is ever removed. */
  readonly built: Array<string>;
}

/**
 * The services of the system directory built from seed `n` (its manifest). A switch between two
 * generations acts on every one of them — db is stopped and started, web with it, log restarted,
 * cache reloaded, added or removed — so after it every service runs the target's code, and after
 * a revert the code it ran before.
 */
export const servicesOf = (n: number): ReadonlyArray<ServiceRecord.ServiceRecordInput> =>
  [
    { name: "db", start: ["db", `--gen${n}`] },
    // Identical everywhere, but it requires db: cycled with it.
    { name: "web", start: ["web"], requires: ["db"] },
    // A restart-class change and stopIfChanged false: restarted in place.
    { name: "log", start: ["log", `--gen${n}`], stopIfChanged: false },
    // Between two generations that both have it, only its trigger changes: reloaded.
    ...(n % 3 === 0 ? [{ name: "cache", start: ["cache"], reload: ["cache", "--reload"], reloadTriggers: [`config-${n}`] }] : []),
  ] as unknown as ReadonlyArray<ServiceRecord.ServiceRecordInput>;

/** Which generation an operation names: the i-th existing one (mod their count), or a raw number (may not exist). */
export type Pick = { readonly _tag: "Index"; readonly index: number } | { readonly _tag: "Number"; readonly number: number };

export type DeletePattern =
  | { readonly _tag: "Old" }
  | { readonly _tag: "KeepNewest"; readonly count: number }
  | { readonly _tag: "Generation"; readonly pick: Pick };

export type Operation =
  | { readonly _tag: "Add" }
  | { readonly _tag: "Switch"; readonly pick: Pick; readonly mode: "switch" | "test" }
  | { readonly _tag: "Rollback" }
  | { readonly _tag: "Delete"; readonly pattern: DeletePattern };

export type Expected = { readonly _tag: "Refused" } | { readonly _tag: "Next"; readonly state: State };

export const stateOf = (m: Model): State => ({ generations: m.generations, current: m.current, running: m.running, services: m.services });

export const adopt = (m: Model, s: State): void => {
  m.generations = s.generations;
  m.current = s.current;
  m.running = s.running;
  m.services = s.services;
};

export const numbers = (s: State): ReadonlyArray<number> => s.generations.map((g) => g.number);

export const systemOf = (s: State, n: number): string => {
  const g = s.generations.find((x) => x.number === n);
  if (g === undefined) throw new Error(`model: no generation ${n}`);
  return g.system;
};

export const resolvePick = (s: State, pick: Pick): number =>
  pick._tag === "Number" ? pick.number : (s.generations[pick.index % s.generations.length] as Generation).number;

export const patternText = (s: State, p: DeletePattern): string =>
  p._tag === "Old" ? "old" : p._tag === "KeepNewest" ? `+${p.count}` : String(resolvePick(s, p.pick));

export const describe = (op: Operation): string => {
  const pick = (p: Pick) => (p._tag === "Index" ? `#${p.index}` : String(p.number));
  switch (op._tag) {
    case "Add":
      return "add";
    case "Switch":
      return op.mode === "test" ? `switch ${pick(op.pick)} --mode test` : `switch ${pick(op.pick)}`;
    case "Rollback":
      return "rollback";
    case "Delete":
      return `delete ${op.pattern._tag === "Old" ? "old" : op.pattern._tag === "KeepNewest" ? `+${op.pattern.count}` : pick(op.pattern.pick)}`;
  }
};

/** Every service of the generation `n` runs that generation's code (`seedOf` says which manifest it has). */
const servicesRunning = (n: number, seed: number): Readonly<Record<string, number>> => Object.fromEntries(servicesOf(seed).map((r) => [r.name, n]));

/**
 * The expected effect of `op` on `s`. `added` is the system directory an Add registers. Numbers
 * follow the documented rule (docs/on-disk-format.md): a new generation is max+1 of the existing
 * ones; an existing generation keeps its number and system directory for as long as it exists.
 * `seedOf` maps a system directory to the seed its manifest was built from.
 */
export const expect = (s: State, booted: number, op: Operation, added: string | null, seedOf: (system: string) => number): Expected => {
  switch (op._tag) {
    case "Add": {
      if (added === null) throw new Error("model: Add without a system directory");
      const number = Math.max(...numbers(s)) + 1;
      return { _tag: "Next", state: { ...s, generations: [...s.generations, { number, system: added }] } };
    }
    case "Switch": {
      const n = resolvePick(s, op.pick);
      if (!numbers(s).includes(n)) return { _tag: "Refused" };
      const services = servicesRunning(n, seedOf(systemOf(s, n)));
      return { _tag: "Next", state: op.mode === "test" ? { ...s, running: n, services } : { ...s, current: n, running: n, services } };
    }
    case "Rollback": {
      const older = numbers(s).filter((n) => n < s.current);
      const target = older[older.length - 1];
      if (target === undefined) return { _tag: "Refused" };
      return { _tag: "Next", state: { ...s, current: target, running: target, services: servicesRunning(target, seedOf(systemOf(s, target))) } };
    }
    case "Delete": {
      const all = numbers(s);
      let candidates: ReadonlyArray<number>;
      const p = op.pattern;
      if (p._tag === "Old") candidates = all.filter((n) => n !== s.current);
      else if (p._tag === "KeepNewest") {
        // `+0` is refused by the pattern parser: it would delete everything.
        if (p.count === 0) return { _tag: "Refused" };
        const upToCurrent = all.filter((n) => n <= s.current);
        candidates = upToCurrent.slice(0, Math.max(0, upToCurrent.length - Math.max(1, p.count)));
      } else {
        const n = resolvePick(s, p.pick);
        candidates = all.includes(n) ? [n] : [];
      }
      const doomed = new Set(candidates.filter((n) => n !== s.current && n !== s.running && n !== booted));
      if (doomed.size === 0) return { _tag: "Refused" };
      return { _tag: "Next", state: { ...s, generations: s.generations.filter((g) => !doomed.has(g.number)) } };
    }
  }
};

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ServiceDiff from "../../packages/model/src/services/ServiceDiff.js";
import * as ServiceGraph from "../../packages/model/src/services/ServiceGraph.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Arb from "../arbitraries/services.js";

type Svc = ServiceRecord.ServiceRecord;
type Input = Omit<ServiceRecord.ServiceRecordInput, "name" | "start"> & { readonly start?: ReadonlyArray<string> };

const rec = (name: string, fields: Input = {}): Svc =>
  ServiceRecord.normalise({ start: [`/bin/${name}`], ...fields, name: name as ServiceRecord.ServiceName } as ServiceRecord.ServiceRecordInput);

const graph = (...records: ReadonlyArray<Svc>) => Arb.graphOf(records);

/** The diff as name lists in their own order (stop/start/restart/reload keep execution order). */
const names = (d: ServiceDiff.ServiceDiff) => ({
  stop: d.stop.map((r) => r.name as string),
  start: d.start.map((r) => r.name as string),
  restart: d.restart.map((r) => r.name as string),
  reload: d.reload.map((r) => r.name as string),
  skip: [...d.skip],
  unchanged: [...d.unchanged],
});

const none = { stop: [], start: [], restart: [], reload: [], skip: [], unchanged: [] };

/** Switch one service `a` from `before` to `after` with it live. */
const one = (before: Svc, after: Svc, policy?: ServiceDiff.Policy) =>
  names(ServiceDiff.between(graph(before), graph(after), new Set([before.name]), policy));

describe("ServiceDiff.between — rules", () => {
  it("starts an added service and leaves an identical one alone", () => {
    const d = ServiceDiff.between(graph(rec("a")), graph(rec("a"), rec("b")), new Set(["a"]));
    expect(names(d)).toEqual({ ...none, start: ["b"], unchanged: ["a"] });
  });

  it("stops a removed live service, handing back the OLD record", () => {
    const old = rec("b", { env: { V: "old" } });
    const d = ServiceDiff.between(graph(rec("a"), old), graph(rec("a")), new Set(["a", "b"]));
    expect(names(d)).toEqual({ ...none, stop: ["b"], unchanged: ["a"] });
    expect(d.stop[0]).toBe(old);
  });

  it("keeps a removed service running when the OLD record says stopOnRemoval:false", () => {
    const d = ServiceDiff.between(graph(rec("a"), rec("b", { stopOnRemoval: false })), graph(rec("a")), new Set(["a", "b"]));
    expect(names(d)).toEqual({ ...none, skip: ["b"], unchanged: ["a"] });
  });

  it("does nothing for a removed service that is not running", () => {
    const d = ServiceDiff.between(graph(rec("a"), rec("b")), graph(rec("a")), new Set(["a"]));
    expect(names(d)).toEqual({ ...none, unchanged: ["a"] });
  });

  it("stops before activation and starts after when start changes (the default)", () => {
    expect(one(rec("a"), rec("a", { start: ["/bin/a2"] }))).toEqual({ ...none, stop: ["a"], start: ["a"] });
  });

  it("restarts after activation when the NEW record says stopIfChanged:false", () => {
    expect(one(rec("a"), rec("a", { start: ["/bin/a2"], stopIfChanged: false }))).toEqual({ ...none, restart: ["a"] });
  });

  it("skips a changed service whose NEW record says restartIfChanged:false", () => {
    expect(one(rec("a"), rec("a", { start: ["/bin/a2"], restartIfChanged: false }))).toEqual({ ...none, skip: ["a"] });
  });

  it("reloads a restart-class change when reloadIfChanged and a reload command are both there", () => {
    const after = rec("a", { start: ["/bin/a2"], reloadIfChanged: true, reload: ["/bin/hup"] });
    expect(one(rec("a", { reload: ["/bin/hup"] }), after)).toEqual({ ...none, reload: ["a"] });
  });

  it("ignores reloadIfChanged without a reload command", () => {
    expect(one(rec("a"), rec("a", { start: ["/bin/a2"], reloadIfChanged: true }))).toEqual({ ...none, stop: ["a"], start: ["a"] });
  });

  it("reloads when only the reload command changes or appears", () => {
    expect(one(rec("a", { reload: ["/bin/hup"] }), rec("a", { reload: ["/bin/hup", "-9"] }))).toEqual({ ...none, reload: ["a"] });
    expect(one(rec("a"), rec("a", { reload: ["/bin/hup"] }))).toEqual({ ...none, reload: ["a"] });
  });

  it("reloads a reloadTriggers-only change, and restarts it when there is no reload command", () => {
    const before = rec("a", { reload: ["/bin/hup"], reloadTriggers: ["x1"] });
    expect(one(before, rec("a", { reload: ["/bin/hup"], reloadTriggers: ["x2"] }))).toEqual({ ...none, reload: ["a"] });
    expect(one(rec("a"), rec("a", { reloadTriggers: ["x2"] }))).toEqual({ ...none, stop: ["a"], start: ["a"] });
    expect(one(rec("a", { stopIfChanged: false }), rec("a", { reloadTriggers: ["x2"], stopIfChanged: false }))).toEqual({ ...none, restart: ["a"] });
    expect(one(rec("a", { restartIfChanged: false }), rec("a", { reloadTriggers: ["x2"], restartIfChanged: false }))).toEqual({ ...none, skip: ["a"] });
  });

  it("treats removing the reload command or the triggers as no change", () => {
    expect(one(rec("a", { reload: ["/bin/hup"], reloadTriggers: ["x"] }), rec("a"))).toEqual({ ...none, unchanged: ["a"] });
  });

  it("ignores the description", () => {
    expect(one(rec("a", { description: "one" }), rec("a", { description: "two" }))).toEqual({ ...none, unchanged: ["a"] });
  });

  it("compares env as a map: key order is irrelevant, values are not", () => {
    expect(one(rec("a", { env: { A: "1", B: "2" } }), rec("a", { env: { B: "2", A: "1" } }))).toEqual({ ...none, unchanged: ["a"] });
    expect(one(rec("a", { env: { A: "1" } }), rec("a", { env: { A: "2" } }))).toEqual({ ...none, stop: ["a"], start: ["a"] });
  });

  it("starts a changed service that is not running instead of stopping it", () => {
    const d = ServiceDiff.between(graph(rec("a")), graph(rec("a", { start: ["/bin/a2"] })), new Set());
    expect(names(d)).toEqual({ ...none, start: ["a"] });
  });

  it("cycles the dependents of a stopped service: proxy, web, db down; db, web, proxy up", () => {
    const services = (dbStart: string) => [rec("db", { start: [dbStart] }), rec("web", { requires: ["db"] }), rec("proxy", { requires: ["web"] })];
    const d = ServiceDiff.between(graph(...services("/bin/db")), graph(...services("/bin/db2")), new Set(["db", "web", "proxy"]));
    expect(names(d)).toEqual({ ...none, stop: ["proxy", "web", "db"], start: ["db", "web", "proxy"] });
  });

  it("propagates through provisions and pulls dependents out of reload/skip, but not out of removed-kept", () => {
    const old = graph(
      rec("db", { provides: ["db", "database"] }),
      rec("app", { requires: ["database"], reload: ["/bin/hup"] }),
      rec("cron", { requires: ["app"], restartIfChanged: false }),
      rec("legacy", { requires: ["db"], stopOnRemoval: false }),
    );
    const next = graph(
      rec("db", { provides: ["db", "database"], env: { V: "2" } }),
      rec("app", { requires: ["database"], reload: ["/bin/hup2"] }),
      rec("cron", { requires: ["app"], restartIfChanged: false, start: ["/bin/cron2"] }),
    );
    const d = ServiceDiff.between(old, next, new Set(["db", "app", "cron", "legacy"]));
    expect(names(d)).toEqual({ ...none, stop: ["cron", "app", "db"], start: ["db", "app", "cron"], skip: ["legacy"] });
  });

  it("conservative policy never stops a service that stays", () => {
    const old = graph(rec("db"), rec("web", { requires: ["db"] }), rec("gone"), rec("kept", { stopOnRemoval: false }), rec("idle"));
    const next = graph(rec("db", { start: ["/bin/db2"] }), rec("web", { requires: ["db"] }), rec("idle", { start: ["/bin/idle2"] }), rec("new"));
    const d = ServiceDiff.between(old, next, new Set(["db", "web", "gone", "kept"]), "conservative");
    expect(names(d)).toEqual({ ...none, stop: ["gone"], start: ["idle", "new"], skip: ["db", "kept"], unchanged: ["web"] });
    expect(one(rec("a"), rec("a", { reload: ["/bin/hup"] }), "conservative")).toEqual({ ...none, skip: ["a"] });
  });

  describe("what runs is compared with the target", () => {
    const runs = (entries: Record<string, "target" | "other">): ServiceDiff.Runs => new Map(Object.entries(entries));

    it("an identical record whose running code is not the target's is a restart-class change", () => {
      const d = ServiceDiff.between(graph(rec("a")), graph(rec("a")), new Set(["a"]), "live", runs({ a: "other" }));
      expect(names(d)).toEqual({ ...none, stop: ["a"], start: ["a"] });
    });

    it("which follows the target's flags: restart in place, reload, or skip", () => {
      const withRuns = (after: Svc, policy?: ServiceDiff.Policy) => names(ServiceDiff.between(graph(rec("a")), graph(after), new Set(["a"]), policy, runs({ a: "other" })));
      expect(withRuns(rec("a", { stopIfChanged: false }))).toEqual({ ...none, restart: ["a"] });
      expect(withRuns(rec("a", { reload: ["/bin/hup"], reloadIfChanged: true }))).toEqual({ ...none, reload: ["a"] });
      expect(withRuns(rec("a", { restartIfChanged: false }))).toEqual({ ...none, skip: ["a"] });
      expect(withRuns(rec("a"), "conservative")).toEqual({ ...none, skip: ["a"] });
    });

    it("a service that already runs the target's revision is unchanged, whatever the records say", () => {
      const d = ServiceDiff.between(graph(rec("a", { env: { V: "1" } })), graph(rec("a", { env: { V: "2" } })), new Set(["a"]), "live", runs({ a: "target" }));
      expect(names(d)).toEqual({ ...none, unchanged: ["a"] });
    });

    it("but is still cycled with a requirement that goes down", () => {
      const old = graph(rec("db"), rec("web", { requires: ["db"] }));
      const next = graph(rec("db", { env: { V: "2" } }), rec("web", { requires: ["db"] }));
      const d = ServiceDiff.between(old, next, new Set(["db", "web"]), "live", runs({ web: "target" }));
      expect(names(d)).toEqual({ ...none, stop: ["web", "db"], start: ["db", "web"] });
    });

    it("a service that is down is started, whatever it last ran", () => {
      const d = ServiceDiff.between(graph(rec("a")), graph(rec("a")), new Set(), "live", runs({ a: "target" }));
      expect(names(d)).toEqual({ ...none, start: ["a"] });
    });
  });
});

describe("ServiceDiff.classify", () => {
  it("lets a restart-class difference win over a reload-class one", () => {
    expect(ServiceDiff.classify(rec("a"), rec("a", { reload: ["/bin/hup"], start: ["/bin/x"] }))).toBe("restart");
    expect(ServiceDiff.classify(rec("a", { reload: ["/bin/hup"] }), rec("a", { start: ["/bin/x"] }))).toBe("restart");
  });

  it("counts every flag, stop, requires and provides as restart-class", () => {
    const base = rec("a");
    for (const change of [
      { restartIfChanged: false },
      { stopIfChanged: false },
      { reloadIfChanged: true },
      { stopOnRemoval: false },
      { stop: ["/bin/kill"] },
      { requires: ["b"] },
      { provides: ["a", "x"] },
    ]) {
      expect(ServiceDiff.classify(base, { ...base, ...change })).toBe("restart");
    }
  });

  it("compares arrays element-wise", () => {
    expect(ServiceDiff.classify(rec("a", { start: ["x", "y"] }), rec("a", { start: ["y", "x"] }))).toBe("restart");
    expect(ServiceDiff.classify(rec("a", { reloadTriggers: ["p", "q"] }), rec("a", { reloadTriggers: ["p"] }))).toBe("reload");
  });
});

// ---- properties over random generations ----

const scenario = fc
  .tuple(Arb.switchScenario({ maxLength: 9 }), fc.constantFrom<ServiceDiff.Policy>("live", "conservative"))
  .map(([s, policy]) => ({ ...s, policy, diff: ServiceDiff.between(s.old, s.next, s.live, policy) }));

const has = (g: ServiceGraph.ServiceGraph, n: string) => g.records.has(n as ServiceRecord.ServiceName);
const requiresOf = (g: ServiceGraph.ServiceGraph, n: string) => g.requires.get(n as ServiceRecord.ServiceName) ?? new Set<string>();
const isSorted = (xs: ReadonlyArray<string>) => xs.every((x, i) => i === 0 || ServiceGraph.compareNames(xs[i - 1] as string, x) < 0);

/** Every service in `list` comes after each of its requirements that is also in `list`. */
const respects = (g: ServiceGraph.ServiceGraph, list: ReadonlyArray<string>) =>
  list.every((n, i) => [...requiresOf(g, n)].every((r) => !list.includes(r) || list.indexOf(r) < i));

describe("ServiceDiff.between — laws", () => {
  it("lists are pairwise disjoint, except that a service may be both stopped and started", () => {
    fc.assert(
      fc.property(scenario, ({ diff }) => {
        const d = names(diff);
        const groups = [[...new Set([...d.stop, ...d.start])], d.restart, d.reload, d.skip, d.unchanged];
        const all = groups.flat();
        expect(new Set(all).size).toBe(all.length);
        for (const list of Object.values(d)) expect(new Set(list).size).toBe(list.length);
      }),
    );
  });

  it("stops only live old records, and starts/restarts/reloads only new records", () => {
    fc.assert(
      fc.property(scenario, ({ old, next, live, diff }) => {
        for (const r of diff.stop) {
          expect(live.has(r.name)).toBe(true);
          expect(old.records.get(r.name)).toBe(r);
        }
        for (const r of [...diff.start, ...diff.restart, ...diff.reload]) expect(next.records.get(r.name)).toBe(r);
      }),
    );
  });

  it("stops dependents before their requirements (old graph) and starts requirements first (new graph)", () => {
    fc.assert(
      fc.property(scenario, ({ old, next, diff }) => {
        const d = names(diff);
        expect(respects(old, [...d.stop].reverse())).toBe(true);
        expect(respects(next, d.start)).toBe(true);
        expect(respects(next, d.restart)).toBe(true);
        expect(respects(next, d.reload)).toBe(true);
      }),
    );
  });

  it("running after the switch = next ∪ removed-but-kept ∪ unmanaged live names", () => {
    // Law: (live − stop) ∪ start = names(next) ∪ {n ∈ old∖next : n live, old n.stopOnRemoval = false} ∪ (live ∖ (old ∪ next)),
    // and the middle set is exactly skip ∖ names(next).
    fc.assert(
      fc.property(scenario, ({ old, next, live, diff }) => {
        const d = names(diff);
        const running = new Set([...[...live].filter((n) => !d.stop.includes(n)), ...d.start]);
        const removedKept = [...old.records.values()].filter((r) => !has(next, r.name) && live.has(r.name) && !r.stopOnRemoval).map((r) => r.name as string);
        const unmanaged = [...live].filter((n) => !has(old, n) && !has(next, n));
        const expected = new Set([...next.records.keys(), ...removedKept, ...unmanaged]);
        expect([...running].sort()).toEqual([...expected].sort());
        expect(d.skip.filter((n) => !has(next, n))).toEqual([...removedKept].sort(ServiceGraph.compareNames));
      }),
    );
  });

  it("accounts for each next service exactly once among start/restart/reload/skip/unchanged", () => {
    fc.assert(
      fc.property(scenario, ({ next, diff }) => {
        const d = names(diff);
        const accounted = [...d.start, ...d.restart, ...d.reload, ...d.skip.filter((n) => has(next, n)), ...d.unchanged];
        expect(accounted.sort()).toEqual([...next.records.keys()].sort());
      }),
    );
  });

  it("agrees with classify: unchanged means identical; a changed live service is never unchanged", () => {
    fc.assert(
      fc.property(scenario, ({ old, next, live, diff }) => {
        for (const [name, after] of next.records) {
          const before = old.records.get(name);
          if (before === undefined || !live.has(name)) continue;
          const change = ServiceDiff.classify(before, after);
          if (diff.unchanged.includes(name)) expect(change).toBe("none");
          if (change !== "none") expect(diff.unchanged).not.toContain(name);
        }
      }),
    );
  });

  it("live policy: every live staying service requiring (transitively, old graph) a stopped one is cycled", () => {
    fc.assert(
      fc.property(scenario, ({ old, next, live, policy, diff }) => {
        fc.pre(policy === "live");
        const d = names(diff);
        for (const n of ServiceGraph.dependentsOf(old, new Set(d.stop))) {
          if (!live.has(n) || !has(next, n)) continue;
          expect(d.stop).toContain(n);
          expect(d.start).toContain(n);
        }
      }),
    );
  });

  it("conservative policy stops only removed services and never restarts or reloads", () => {
    fc.assert(
      fc.property(scenario, ({ next, policy, diff }) => {
        fc.pre(policy === "conservative");
        for (const r of diff.stop) expect(has(next, r.name)).toBe(false);
        expect(diff.restart).toEqual([]);
        expect(diff.reload).toEqual([]);
      }),
    );
  });

  it("a graph against itself with everything live is all unchanged, under either policy", () => {
    fc.assert(
      fc.property(Arb.serviceGraph(), fc.constantFrom<ServiceDiff.Policy>("live", "conservative"), (g, policy) => {
        const d = names(ServiceDiff.between(g, g, new Set(g.records.keys()), policy));
        expect(d).toEqual({ ...none, unchanged: [...g.records.keys()].sort(ServiceGraph.compareNames) });
      }),
    );
  });

  it("summary gives sorted names of the same sets", () => {
    fc.assert(
      fc.property(scenario, ({ diff }) => {
        const s = ServiceDiff.summary(diff);
        const d = names(diff);
        for (const key of ["stop", "start", "restart", "reload", "skip", "unchanged"] as const) {
          expect(isSorted(s[key])).toBe(true);
          expect([...s[key]].sort()).toEqual([...d[key]].sort());
        }
      }),
    );
  });

  it("the arbitraries reach every outcome (otherwise the laws above prove little)", () => {
    const seen = new Set<string>();
    for (const { diff, old, next } of fc.sample(scenario, { numRuns: 400, seed: 7 })) {
      for (const [key, list] of Object.entries(names(diff))) if (list.length > 0) seen.add(key);
      if (diff.stop.some((r) => has(next, r.name) && ServiceDiff.classify(r, next.records.get(r.name) as Svc) === "none")) seen.add("propagated");
      if (diff.skip.some((n) => !has(next, n) && has(old, n))) seen.add("removed-kept");
    }
    expect([...seen].sort()).toEqual(["propagated", "reload", "removed-kept", "restart", "skip", "start", "stop", "unchanged"]);
  });
});

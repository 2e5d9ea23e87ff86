/**
 * Laws of service switching, run through the real interpreter (observe → Transition → apply) with
 * the in-memory service manager, over random pairs of service generations and random sets of
 * services already up: after a switch exactly the target's services run (plus removed ones that
 * asked to be kept), each on the target's record unless the plan says it was left alone; services
 * stopped and started again come down in the reverse of the order they come back up; and no
 * service is started before what it requires.
 */
import fc from "fast-check";
import { Exit } from "effect";
import { describe, expect, it } from "vitest";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import * as ServiceDiff from "../../packages/model/src/services/ServiceDiff.js";
import * as ServiceGraph from "../../packages/model/src/services/ServiceGraph.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as ServiceRevision from "../../packages/model/src/services/ServiceRevision.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import { generationPair, graphOf, asInput } from "../arbitraries/services.js";
import { apply, type Machine, memoryMachine, NOW_MS, observe, systemOf } from "../support/machine.js";

type Svc = ServiceRecord.ServiceRecord;


const scenario = generationPair({ maxLength: 6 }).chain((pair) =>
  fc.record({
    pair: fc.constant(pair),
    // Which of generation 1's services are up before the first switch.
    upFirst: fc.subarray(pair.previous.map((r) => r.name as string)),
    policy: fc.constantFrom<ServiceDiff.Policy>("live", "conservative"),
  }),
);

const switchPlan = async (m: Machine, to: number, policy: ServiceDiff.Policy): Promise<Plan.Plan> => {
  const world = await observe(m);
  const p = Transition.between(world, { operation: { _tag: "Switch", spec: String(to) }, mode: "switch", services: policy, nowMs: NOW_MS });
  if (p._tag === "Left") throw new Error(p.left.message);
  return p.right;
};

const opsOf = (log: ReadonlyArray<string>, op: string): ReadonlyArray<string> => log.filter((l) => l.startsWith(`${op} `)).map((l) => l.slice(op.length + 1));

/** Switch from the generation with records `before` to generation `to` (records `after`) and check every law. */
const switchAndCheck = async (m: Machine, before: ReadonlyArray<Svc>, to: number, after: ReadonlyArray<Svc>, policy: ServiceDiff.Policy) => {
  const upBefore = new Map(m.services.running);
  const logStart = m.services.log.length;
  const plan = await switchPlan(m, to, policy);
  expect(Exit.isSuccess(await apply(m, plan))).toBe(true);
  const log = m.services.log.slice(logStart);
  const next = graphOf(after);
  const old = graphOf(before);

  // 1. Exactly the target's services run, plus removed live ones whose old record keeps them running.
  const keptNames = before.filter((r) => !next.records.has(r.name) && upBefore.has(r.name) && !r.stopOnRemoval).map((r) => r.name);
  expect([...m.services.running.keys()].sort()).toEqual([...after.map((r) => r.name), ...keptNames].sort());

  // 2. Each runs the target revision, unless the plan left it alone (unchanged or skipped): then it
  //    runs what it ran, and "unchanged" means that is the target's revision already (what runs is
  //    compared with the target, so an identical record in another system directory is a change).
  const acted = new Set([...plan.services.start, ...plan.services.restart, ...plan.services.reload]);
  for (const r of after) {
    const running = m.services.running.get(r.name);
    if (acted.has(r.name)) expect(running?.revision).toBe(ServiceRevision.of(systemOf(to), r));
    else {
      expect(running).toEqual(upBefore.get(r.name));
      if (plan.services.unchanged.includes(r.name)) expect({ unchanged: r.name, runs: running?.revision }).toEqual({ unchanged: r.name, runs: ServiceRevision.of(systemOf(to), r) });
      else expect(plan.services.skip).toContain(r.name);
    }
  }

  // 3. Of the services stopped and started again, the stop order is the reverse of the start order
  //    wherever it matters: a service goes down before what it requires (in the old generation) and
  //    comes back after it (in the new one). Unrelated services may come back in any order, and two
  //    generations may disagree about which way two services depend on each other.
  const stops = opsOf(log, "stop");
  const starts = opsOf(log, "start");
  const cycled = stops.filter((n) => starts.includes(n));
  for (const a of cycled) {
    for (const b of cycled) {
      if (dependsOn(old, a, b)) expect({ stop: [a, b], order: stops.indexOf(a) < stops.indexOf(b) }).toMatchObject({ order: true });
      if (dependsOn(next, a, b)) expect({ start: [b, a], order: starts.indexOf(b) < starts.indexOf(a) }).toMatchObject({ order: true });
      if (dependsOn(old, a, b) && dependsOn(next, a, b)) {
        expect(Math.sign(stops.indexOf(a) - stops.indexOf(b))).toBe(-Math.sign(starts.indexOf(a) - starts.indexOf(b)));
      }
    }
  }

  // 4. Nothing is started while something it requires is down.
  const up = new Set(upBefore.keys());
  for (const entry of log) {
    const [op, name] = entry.split(" ") as [string, string];
    if (op === "stop") up.delete(name);
    else {
      if (op === "start") for (const required of requirementsOf(next, name)) expect({ start: name, requires: required, up: up.has(required) }).toMatchObject({ up: true });
      up.add(name);
    }
  }
};

/** Whether `a` requires `b`, directly or through other services, in `graph`. */
const dependsOn = (graph: ServiceGraph.ServiceGraph, a: string, b: string): boolean =>
  a !== b && ServiceGraph.dependentsOf(graph, new Set([b])).has(a as ServiceRecord.ServiceName);

const requirementsOf = (graph: ServiceGraph.ServiceGraph, name: string): ReadonlyArray<string> => [...(graph.requires.get(name as ServiceRecord.ServiceName) ?? [])];

describe("service switching (in-memory manager)", () => {
  it("1 → 2 → 1: the target's services run, on the target's records, in dependency order", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ pair, upFirst, policy }) => {
        const first = new Set(upFirst);
        const m = memoryMachine({
          generations: [
            { number: 1, services: asInput(pair.previous) },
            { number: 2, services: asInput(pair.next) },
          ],
          current: 1,
          runningServices: pair.previous
            .filter((r) => first.has(r.name))
            .map((r) => [r.name, { generation: 1, system: systemOf(1), revision: ServiceRevision.of(systemOf(1), r) }] as const),
        });
        await switchAndCheck(m, pair.previous, 2, pair.next, policy);
        await switchAndCheck(m, pair.next, 1, pair.previous, policy);
      }),
      { numRuns: 50 },
    );
  });
});

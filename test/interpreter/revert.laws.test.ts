/**
 * The revert law, over the in-memory layers (file system, service manager, process runner) and
 * random pairs of service generations: for every plan and every step k before its commit point,
 * a run whose step k fails must, once reverted, leave the service manager exactly as it was before
 * the apply — the same services up, each on the same revision — and every byte of the tree as it
 * was. Its companion for a run that succeeds: every service of the target then runs the target's
 * revision, and anything else still running (or left on old code) is listed in the restart debt.
 * The examples at the end are the cases a revert computed as a second switch back (under the
 * records' own flags, as if every forward step had run) got wrong; the revert is now computed from
 * the forward steps themselves (`Revert`).
 */
import fc from "fast-check";
import { Exit } from "effect";
import { describe, expect, it } from "vitest";
import * as Plan from "../../packages/model/src/plan/Plan.js";
import * as RestartDebt from "../../packages/model/src/services/RestartDebt.js";
import * as ServiceDiff from "../../packages/model/src/services/ServiceDiff.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as ServiceRevision from "../../packages/model/src/services/ServiceRevision.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import { asInput, generationPair, type GenerationPair } from "../arbitraries/services.js";
import { apply, applyFailingAt, type Machine, memoryMachine, NOW_MS, observe, systemOf } from "../support/machine.js";

type Svc = ServiceRecord.ServiceRecord;
type Memory = ReturnType<typeof memoryMachine>;

interface Scenario {
  /** Generation 1 (running and current) and generation 2 (the target). */
  readonly pair: GenerationPair;
  /** Which of generation 1's services are up, on generation 1's revision, before the apply. */
  readonly up: ReadonlyArray<string>;
  readonly policy: ServiceDiff.Policy;
  readonly mode: Plan.Mode;
}

const scenario = (pairs: fc.Arbitrary<GenerationPair>): fc.Arbitrary<Scenario> =>
  pairs.chain((pair) =>
    fc.record({
      pair: fc.constant(pair),
      up: fc.subarray(pair.previous.map((r) => r.name as string)),
      policy: fc.constantFrom<ServiceDiff.Policy>("live", "conservative"),
      mode: fc.constantFrom<Plan.Mode>("switch", "test"),
    }),
  );

const machineOf = (s: Scenario): Memory => {
  const up = new Set(s.up);
  return memoryMachine({
    generations: [
      { number: 1, services: asInput(s.pair.previous) },
      { number: 2, services: asInput(s.pair.next) },
    ],
    current: 1,
    runningServices: s.pair.previous
      .filter((r) => up.has(r.name))
      .map((r) => [r.name, { generation: 1, system: systemOf(1), revision: ServiceRevision.of(systemOf(1), r) }] as const),
  });
};

const planOf = async (m: Machine, s: Scenario, to = "2"): Promise<Plan.Plan> => {
  const p = Transition.between(await observe(m), { operation: { _tag: "Switch", spec: to }, mode: s.mode, services: s.policy, nowMs: NOW_MS });
  if (p._tag === "Left") throw new Error(p.left.message);
  return p.right;
};

/** The service manager's state: which services run, on which revision. */
const servicesOf = (m: Machine): Record<string, string | undefined> =>
  Object.fromEntries([...m.services.running].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, r]) => [name, r.revision]));

/** The tree, without the layout marker the first apply stamps (it belongs to no transition). */
const treeOf = (m: Machine) => {
  const { "/var/lib/switchyard/layout.v1": _marker, ...rest } = m.snapshot();
  return rest;
};

/** For every step before Commit: fail it, and require the services and the tree to be as before. */
const expectRevertRestores = async (s: Scenario): Promise<void> => {
  const plan = await planOf(machineOf(s), s);
  for (let k = 0; k < Plan.commitIndex(plan); k++) {
    const m = machineOf(s);
    const before = { services: servicesOf(m), tree: treeOf(m) };
    const exit = await applyFailingAt(m, plan, k);
    expect(Exit.isFailure(exit), `step ${k} (${plan.steps[k]?._tag}) failed`).toBe(true);
    expect({ failedAt: k, step: plan.steps[k], services: servicesOf(m) }).toEqual({ failedAt: k, step: plan.steps[k], services: before.services });
    expect(treeOf(m), `the tree after step ${k} failed`).toEqual(before.tree);
  }
};

/** Names the restart-debt record lists after the apply. */
const debtOf = (m: Machine): ReadonlyArray<string> => {
  const file = m.snapshot()[RestartDebt.PATH];
  if (file?.kind !== "file") return [];
  const entries = RestartDebt.fromText(String(file.content));
  return entries._tag === "Right" ? entries.right.map((e) => e.service) : [];
};

/** Apply without a fault: every target service runs the target's revision or is in the debt; nothing else runs unlisted. */
const expectTargetOrDebt = async (s: Scenario): Promise<void> => {
  const m = machineOf(s);
  const exit = await apply(m, await planOf(m, s));
  expect(Exit.isSuccess(exit)).toBe(true);
  const debt = new Set(debtOf(m));
  const target = new Map(s.pair.next.map((r) => [r.name as string, ServiceRevision.of(systemOf(2), r)]));
  for (const [name, revision] of target) {
    if (!debt.has(name)) expect({ service: name, runs: m.services.running.get(name)?.revision }).toEqual({ service: name, runs: revision });
  }
  for (const name of m.services.running.keys()) if (!target.has(name)) expect([...debt], `${name} runs, but is not in the target`).toContain(name);
};

describe("the revert law: a failed transition restores every service it touched", () => {
  it("for every step k before the commit point, failing k leaves the same services on the same revisions, and the same tree", { timeout: 120_000 }, async () => {
    await fc.assert(fc.asyncProperty(scenario(generationPair({ maxLength: 5 })), expectRevertRestores), { numRuns: 80 });
  });
});

describe("after a successful apply every service runs the target's revision or is listed in the restart debt", () => {
  it("for every plan, every policy and mode", { timeout: 120_000 }, async () => {
    await fc.assert(fc.asyncProperty(scenario(generationPair({ maxLength: 5 })), expectTargetOrDebt), { numRuns: 150 });
  });
});

/** A generation's record with defaults, written as the manifest would. */
const svc = (name: string, extra: Partial<ServiceRecord.ServiceRecordInput> = {}): Svc =>
  ServiceRecord.normalise({ name: name as ServiceRecord.ServiceName, start: [`bin/${name}`], ...extra });

const example = (previous: ReadonlyArray<Svc>, next: ReadonlyArray<Svc>, up: ReadonlyArray<string> = previous.map((r) => r.name)): Scenario => ({
  pair: { previous, next },
  up,
  policy: "live",
  mode: "switch",
});

describe("examples: whatever the records' flags, the revert puts back what ran", () => {
  // (a) web's running record says restartIfChanged: false; the target's does not, so the forward
  // steps stop web and start the new one. A failure in between (the activation) reverts: the old
  // record's flag must not keep the revert from starting web again.
  it("(a) a restartIfChanged:false service the plan stopped is started again by the revert", async () => {
    await expectRevertRestores(example([svc("web", { env: { V: "1" }, restartIfChanged: false })], [svc("web", { env: { V: "2" } })]));
  });

  // (b) The target adds `extra` with stopOnRemoval: false; it is started, then a later start fails.
  // Going back, extra is no removed service asking to be kept: it was not up, so it goes down.
  it("(b) a service the target added with stopOnRemoval:false is stopped by the revert", async () => {
    await expectRevertRestores(example([], [svc("extra", { stopOnRemoval: false }), svc("late", { requires: ["extra"] })]));
  });

  // (c) db is down before the apply; the forward steps start it, then web's start fails. The revert
  // must not assume db was up: it stops it.
  it("(c) a service that was down before the apply is down again after the revert", async () => {
    const db = svc("db");
    await expectRevertRestores(example([db], [db, svc("web", { requires: ["db"] })], []));
  });

  // (d) The target adds a reload trigger to rl: the forward steps reload it onto the target's
  // revision. Going back drops the trigger, which as a record change counts as none; the revert
  // still restarts rl onto the revision it ran.
  it("(d) a service reloaded onto the target is back on its old revision even when the reverse change is 'none'", async () => {
    const reload = { reload: ["bin/rl", "--reload"] };
    await expectRevertRestores(example([svc("rl", reload), svc("db", { env: { V: "1" } })], [svc("rl", { ...reload, reloadTriggers: ["config-2"] }), svc("db", { env: { V: "2" } })]));
  });

  // (e) db changes; the target's record cycles it, so web (which requires db) is stopped with it.
  // The running record of db says stopIfChanged: false, which would only restart db in place; the
  // revert must bring web back up too.
  it("(e) a dependent the forward steps stopped with its requirement is started again by the revert", async () => {
    const web = svc("web", { requires: ["db"] });
    await expectRevertRestores(example([svc("db", { env: { V: "1" }, stopIfChanged: false }), web], [svc("db", { env: { V: "2" } }), web]));
  });

  // (f) db's record is the same in both generations, but the revision covers the system directory
  // (its programs): the switch must restart it onto generation 2's, or list it in the restart debt.
  it("(f) a service whose record did not change but whose code did runs the target's revision after the switch", async () => {
    const db = svc("db");
    await expectTargetOrDebt(example([db], [db]));
  });
});

describe("example: a service left on older code goes back to that code", () => {
  // Switching 1 → 2 leaves db on generation 1's code (generation 2's record says restartIfChanged:
  // false), and the restart debt says so. The switch 2 → 3 cycles db; failing any of its steps must
  // bring db back on generation 1's revision, the one it ran, not generation 2's.
  it("(g) every failing step of 2 → 3 leaves db on generation 1's revision, with the same restart debt", async () => {
    const db1 = svc("db", { env: { V: "1" } });
    const db2 = svc("db", { env: { V: "2" }, restartIfChanged: false });
    const db3 = svc("db", { env: { V: "3" } });
    const machine = async () => {
      const m = memoryMachine({
        generations: [
          { number: 1, services: asInput([db1]) },
          { number: 2, services: asInput([db2]) },
          { number: 3, services: asInput([db3]) },
        ],
        current: 1,
        runningServices: [["db", { generation: 1, system: systemOf(1), revision: ServiceRevision.of(systemOf(1), db1) }]],
      });
      expect(Exit.isSuccess(await apply(m, await planOf(m, example([db1], [db2]), "2")))).toBe(true);
      expect(debtOf(m)).toEqual(["db"]);
      return m;
    };
    const plan = await planOf(await machine(), example([db2], [db3]), "3");
    expect(plan.services).toMatchObject({ stop: ["db"], start: ["db"] });
    for (let k = 0; k < Plan.commitIndex(plan); k++) {
      const m = await machine();
      const before = { services: servicesOf(m), tree: treeOf(m) };
      expect(before.services).toEqual({ db: ServiceRevision.of(systemOf(1), db1) });
      expect(Exit.isFailure(await applyFailingAt(m, plan, k))).toBe(true);
      expect({ failedAt: k, services: servicesOf(m), tree: treeOf(m) }).toEqual({ failedAt: k, ...before });
    }
  });
});

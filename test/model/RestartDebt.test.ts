import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Plan from "../../packages/model/src/plan/Plan.js";
import * as RestartDebt from "../../packages/model/src/services/RestartDebt.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as ServiceRevision from "../../packages/model/src/services/ServiceRevision.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import type * as World from "../../packages/model/src/world/World.js";
import * as Worlds from "../support/worlds.js";

const record = (r: { name: string; start: ReadonlyArray<string>; restartIfChanged?: boolean }) => r as unknown as ServiceRecord.ServiceRecordInput;
const web = (version: string, restartIfChanged = false) => record({ name: "web", start: ["bin/web", version], restartIfChanged });
const db = (version: string) => record({ name: "db", start: ["bin/db", version] });
const normalised = (input: ServiceRecord.ServiceRecordInput) => ServiceRecord.normalise(input);

const machine = (current: number, debt: ReadonlyArray<RestartDebt.Entry> = []): World.World => {
  const w = Worlds.world(
    [
      { number: 1, services: [web("v1"), db("v1")] },
      { number: 2, services: [web("v2"), db("v2")] },
      { number: 3, services: [db("v2")] },
    ],
    { current },
  );
  return { ...w, restartDebt: { text: debt.length === 0 ? null : RestartDebt.render(debt), entries: debt } };
};

const planFor = (world: World.World, spec: string, services: "live" | "conservative" = "live"): Plan.Plan => {
  const p = Transition.between(world, { operation: { _tag: "Switch", spec }, mode: "switch", services, nowMs: 0 });
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

const debtWritten = (p: Plan.Plan): ReadonlyArray<RestartDebt.Entry> | null => {
  const step = p.steps.find((s) => "path" in s && s.path === RestartDebt.PATH);
  if (step === undefined) return null;
  if (step._tag === "RemoveFile") return [];
  if (step._tag !== "WriteFile") throw new Error(step._tag);
  return E.getOrElseW(() => [])(RestartDebt.fromText(step.content));
};

describe("restart debt", () => {
  it("records a changed service that is not restarted, before the commit, and the revert restores the record", () => {
    const p = planFor(machine(1), "2");
    expect(p.services.skip).toEqual(["web"]);
    const debt = debtWritten(p);
    expect(debt).toEqual([
      {
        service: "web",
        runs: { generation: 1, system: Worlds.systemDir(1) },
        wants: { generation: 2, system: Worlds.systemDir(2) },
        reason: "changed, not restarted (restartIfChanged is false)",
        bootId: "test-boot",
      },
    ]);
    const writeAt = p.steps.findIndex((s) => "path" in s && s.path === RestartDebt.PATH);
    expect(writeAt).toBeLessThan(Plan.commitIndex(p));
    expect(p.revert.at(-1)).toEqual({ _tag: "RemoveFile", path: RestartDebt.PATH });
  });

  it("is paid when the service runs the target's code again", () => {
    const first = debtWritten(planFor(machine(1), "2")) ?? [];
    const back = planFor(machine(2, first), "1");
    expect(debtWritten(back)).toEqual([]);
  });

  it("follows the service to a newer target while it still runs old code", () => {
    const first = debtWritten(planFor(machine(1), "2")) ?? [];
    const w = machine(2, first);
    const next = planFor({ ...w, generations: w.generations }, "3");
    // web is gone from generation 3 and stopped: nothing owed any more.
    expect(next.services.stop).toContain("web");
    expect(debtWritten(next)).toEqual([]);
  });

  it("records a service whose record is the same but whose running code is not the target's, when it is not restarted", () => {
    // db's record is identical in generations 2 and 3, but it runs generation 2's programs.
    const w = machine(2);
    const seen: World.World = { ...w, liveServices: ["db"], serviceRevisions: [["db", ServiceRevision.of(Worlds.systemDir(2), normalised(db("v2")))]] };
    const live = planFor(seen, "3");
    expect(live.services).toMatchObject({ stop: ["db"], start: ["db"], unchanged: [] });
    expect(debtWritten(live)).toBeNull();
    const conservative = planFor(seen, "3", "conservative");
    expect(conservative.services).toMatchObject({ skip: ["db"], unchanged: [] });
    expect(debtWritten(conservative)).toEqual([
      {
        service: "db",
        runs: { generation: 2, system: Worlds.systemDir(2) },
        wants: { generation: 3, system: Worlds.systemDir(3) },
        reason: "changed, left running (--services conservative)",
        bootId: "test-boot",
      },
    ]);
  });

  it("owes nothing for a service that already runs the target's revision", () => {
    const w = machine(2);
    const seen: World.World = { ...w, liveServices: ["db"], serviceRevisions: [["db", ServiceRevision.of(Worlds.systemDir(3), normalised(db("v2")))]] };
    const p = planFor(seen, "3", "conservative");
    expect(p.services).toMatchObject({ skip: [], unchanged: ["db"] });
    expect(debtWritten(p)).toBeNull();
  });

  it("is void after a reboot", () => {
    const first = debtWritten(planFor(machine(1), "2")) ?? [];
    const rebooted = { ...machine(2, first), bootId: "next-boot" };
    expect(RestartDebt.standing(rebooted)).toEqual([]);
  });

  it("records every changed running service in conservative mode", () => {
    const w = Worlds.world([{ number: 1, services: [web("v1", true), db("v1")] }, { number: 2, services: [web("v2", true), db("v2")] }], { current: 1 });
    const p = planFor(w, "2", "conservative");
    expect(p.services.skip).toEqual(["db", "web"]);
    expect((debtWritten(p) ?? []).map((e) => [e.service, e.reason])).toEqual([
      ["db", "changed, left running (--services conservative)"],
      ["web", "changed, left running (--services conservative)"],
    ]);
  });

  it("leaves no record, and no step, when nothing is owed", () => {
    const w = Worlds.world([{ number: 1, services: [db("v1")] }, { number: 2, services: [db("v2")] }], { current: 1 });
    expect(debtWritten(planFor(w, "2"))).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import * as RestartDebt from "../../packages/model/src/services/RestartDebt.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import type * as Step from "../../packages/model/src/plan/Step.js";
import type * as World from "../../packages/model/src/world/World.js";
import * as Worlds from "../support/worlds.js";

const svc = (name: string, extra: Omit<ServiceRecord.ServiceRecordInput, "name" | "start"> = {}): ServiceRecord.ServiceRecordInput =>
  ({ start: [`/bin/${name}`], ...extra, name: name as ServiceRecord.ServiceName }) as ServiceRecord.ServiceRecordInput;

const entry = (service: string, generation: number | null, reason: string): RestartDebt.Entry => ({
  service,
  runs: { generation, system: generation === null ? null : Worlds.systemDir(generation) },
  wants: { generation: 2, system: Worlds.systemDir(2) },
  reason,
  bootId: "test-boot",
});

/** Generation 1 ran db, web and old; generation 2 (current, running) changed db and web and dropped old, leaving them on old code. */
const world = (entries: ReadonlyArray<RestartDebt.Entry>): World.World => {
  const w = Worlds.world([
    { number: 1, services: [svc("db", { env: { V: "1" } }), svc("web", { requires: ["db"], env: { V: "1" } }), svc("old", { stopOnRemoval: false })] },
    { number: 2, services: [svc("db", { env: { V: "2" } }), svc("web", { requires: ["db"], env: { V: "2" } }), svc("cache")] },
  ]);
  const text = entries.length === 0 ? null : RestartDebt.render(entries);
  return { ...w, restartDebt: { text, entries } };
};

const restart = (w: World.World, services: ReadonlyArray<string>, debt = false) => Transition.between(w, { operation: { _tag: "Restart", services, debt }, mode: "test", nowMs: 0 });

const describeSteps = (steps: ReadonlyArray<Step.Step>) =>
  steps.map((s) => ("service" in s ? `${s._tag} ${s.service.record.name}@${s.service.generation}` : s._tag === "WriteFile" || s._tag === "RemoveFile" ? `${s._tag} ${s.path}` : s._tag));

describe("Transition: restart onto the current generation's code", () => {
  const owed = [entry("db", 1, "changed, left running (--services conservative)"), entry("old", 1, "removed, kept running (stopOnRemoval is false)"), entry("web", 1, "changed, left running (--services conservative)")];

  it("--debt: every owed service, requirements first, on generation 2's records; the removed one stopped; the debt cleared", () => {
    const p = restart(world(owed), [], true);
    if (p._tag === "Left") throw new Error(p.left.message);
    expect(describeSteps(p.right.steps)).toEqual(["StopService old@1", "RestartService db@2", "RestartService web@2", `RemoveFile ${RestartDebt.PATH}`, "Commit"]);
    expect(p.right.services).toMatchObject({ restart: ["db", "web"], stop: ["old"] });
    // The way back: each on the record it ran, in reverse, and the debt record as it was.
    expect(describeSteps(p.right.revert)).toEqual(["RestartService web@1", "RestartService db@1", "StartService old@1", `WriteFile ${RestartDebt.PATH}`]);
    const db = p.right.revert.find((s) => "service" in s && s.service.record.name === "db");
    expect(db !== undefined && "service" in db && db.service.record.env).toEqual({ V: "1" });
    expect(p.right).toMatchObject({ from: 2, to: 2, boot: null, delete: [], mode: "test" });
  });

  it("named services: only those; the rest of the debt stays recorded", () => {
    const p = restart(world(owed), ["web"]);
    if (p._tag === "Left") throw new Error(p.left.message);
    expect(describeSteps(p.right.steps)).toEqual(["RestartService web@2", `WriteFile ${RestartDebt.PATH}`, "Commit"]);
    const write = p.right.steps.find((s): s is Extract<Step.Step, { _tag: "WriteFile" }> => s._tag === "WriteFile");
    expect(RestartDebt.fromText(write?.content ?? "")).toMatchObject({ right: [{ service: "db" }, { service: "old" }] });
  });

  it("a service that owes nothing is restarted with no revert step (it already runs this code)", () => {
    const p = restart(world([]), ["cache"]);
    if (p._tag === "Left") throw new Error(p.left.message);
    expect(describeSteps(p.right.steps)).toEqual(["RestartService cache@2", "Commit"]);
    expect(p.right.revert).toEqual([]);
  });

  it("nothing owed: an empty plan", () => {
    const p = restart(world([]), [], true);
    expect(p._tag === "Right" && p.right.steps).toEqual([]);
  });

  it("refuses a service the current generation does not have, suggesting a close one", () => {
    expect(restart(world([]), ["dbb"])).toEqual({ _tag: "Left", left: { _tag: "PlanError", reason: "Invalid", message: "'dbb' is not a service of generation 2; did you mean 'db'?" } });
  });

  it("refuses while another generation runs than the current one (it would mix their code)", () => {
    const w = world(owed);
    const g1 = w.generations[0] as World.Generation;
    const p = restart({ ...w, running: { target: g1.system, system: g1.system, generation: g1.number, manifest: g1.manifest } }, ["db"]);
    expect(p._tag === "Left" && p.left.message).toBe(
      "generation 2 is current but generation 1 is running; restarting onto generation 2's code would mix the two: switch first ('switchyard apply switch 2')",
    );
  });

  it("a debt whose old generation is gone: restarted anyway, with a warning that it cannot be put back", () => {
    const p = restart(world([entry("db", 9, "changed")]), [], true);
    if (p._tag === "Left") throw new Error(p.left.message);
    expect(describeSteps(p.right.steps)).toEqual(["RestartService db@2", `RemoveFile ${RestartDebt.PATH}`, "Commit"]);
    expect(p.right.warnings).toEqual(["db runs code of generation 9, whose record is gone: if its restart fails, it cannot be put back"]);
  });
});

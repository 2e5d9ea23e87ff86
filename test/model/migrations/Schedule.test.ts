/** What runs next, decided from the progress record alone: order, parallelism, phases, failures, pauses. */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import type { Migration } from "../../../packages/model/src/checks/Item.js";
import * as Graph from "../../../packages/model/src/migrations/Graph.js";
import * as Schedule from "../../../packages/model/src/migrations/Schedule.js";

const m = (id: string, requires: ReadonlyArray<string> = [], extra: Partial<Migration> = {}): Migration => ({ id, run: [`bin/${id}`], requires: [...requires], ...extra });
const graph = (...ms: ReadonlyArray<Migration>): Graph.Graph => {
  const g = Graph.of(ms);
  if (E.isLeft(g)) throw new Error(g.left.message);
  return g.right;
};
const gate = (over: Partial<Schedule.Gate> = {}): Schedule.Gate => ({ booted: true, paused: false, jobs: 4, ...over });
const ids = (ms: ReadonlyArray<Migration>) => ms.map((x) => x.id);

const diamond = graph(m("a"), m("b"), m("c", ["a", "b"]), m("d"));

describe("Schedule.next", () => {
  it("starts every independent migration, bounded by jobs and by what already runs", () => {
    const start = Schedule.start(diamond);
    expect(ids(Schedule.next(diamond, start, gate()))).toEqual(["a", "b", "d"]);
    expect(ids(Schedule.next(diamond, start, gate({ jobs: 2 })))).toEqual(["a", "b"]);
    expect(ids(Schedule.next(diamond, { ...start, a: "running", b: "running" }, gate({ jobs: 2 })))).toEqual([]);
  });

  it("starts a migration only once everything it requires is done", () => {
    const progress = { a: "done", b: "running", c: "pending", d: "done" } as const;
    expect(ids(Schedule.next(diamond, progress, gate()))).toEqual([]);
    expect(ids(Schedule.next(diamond, { ...progress, b: "done" }, gate()))).toEqual(["c"]);
  });

  it("runs again what a crash left running", () => {
    expect(Schedule.resumed({ a: "done", b: "running" })).toEqual({ a: "done", b: "pending" });
  });

  it("opens the after phase once every before migration is done and the target runs", () => {
    const g = graph(m("backup", [], { reboot: "before" }), m("convert"), m("reindex", [], { reboot: "after" }));
    const start = Schedule.start(g);
    expect(ids(Schedule.next(g, start, gate()))).toEqual(["backup"]);
    const backedUp = Schedule.set(start, "backup", "done");
    expect(ids(Schedule.next(g, backedUp, gate({ booted: false })))).toEqual([]);
    expect(Schedule.outcome(g, backedUp, gate({ booted: false }))).toEqual({ _tag: "WaitingForBoot", waiting: ["convert", "reindex"] });
    expect(Schedule.waitingForBoot(g, backedUp, { booted: false })).toEqual(["convert", "reindex"]);
    expect(ids(Schedule.next(g, backedUp, gate()))).toEqual(["convert", "reindex"]);
  });

  it("starts nothing new while paused, even when everything chosen is done", () => {
    const start = Schedule.start(diamond);
    expect(Schedule.next(diamond, start, gate({ paused: true }))).toEqual([]);
    const all = { a: "done", b: "done", c: "done", d: "done" } as const;
    expect(Schedule.outcome(diamond, all, gate({ paused: true }))._tag).toBe("Paused");
    expect(Schedule.outcome(diamond, all, gate())._tag).toBe("Complete");
  });
});

describe("a failure", () => {
  it("with hold stops its dependents only; the finished stay done", () => {
    const g = graph(m("a", [], { onFailure: "hold" }), m("b"), m("c", ["a"]), m("e", ["c"]));
    const progress = { a: "failed", b: "pending", c: "pending", e: "pending" } as const;
    expect(ids(Schedule.next(g, progress, gate()))).toEqual(["b"]);
    expect(Schedule.outcome(g, { ...progress, b: "done" }, gate())).toEqual({ _tag: "Failed", failed: ["a"], stopped: ["c", "e"], revert: false });
  });

  it("with revert (the default) starts nothing more, and asks for the switch to go back", () => {
    const g = graph(m("a"), m("b"), m("c", ["a"]));
    const progress = { a: "failed", b: "pending", c: "pending" } as const;
    expect(Schedule.next(g, progress, gate())).toEqual([]);
    expect(Schedule.outcome(g, progress, gate())).toEqual({ _tag: "Failed", failed: ["a"], stopped: ["b", "c"], revert: true });
  });

  it("waits for what still runs before the graph counts as failed", () => {
    const g = graph(m("a"), m("b"));
    expect(Schedule.outcome(g, { a: "failed", b: "running" }, gate())._tag).toBe("Running");
  });
});

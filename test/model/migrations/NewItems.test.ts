/** Items migrations report: kept per graph, settled by choices, and their chosen migrations added to the graph only when it stays a graph. */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import type { Item, Migration } from "../../../packages/model/src/checks/Item.js";
import * as NewItems from "../../../packages/model/src/migrations/NewItems.js";
import * as MigrationRecord from "../../../packages/model/src/migrations/Record.js";
import type { BeginMigrationsStep } from "../../../packages/model/src/plan/Step.js";
import { defaultSettings } from "../../support/worlds.js";

const m = (id: string, requires: ReadonlyArray<string> = []): Migration => ({ id, run: [`bin/${id}`], requires: [...requires] });

const graph = (from = 1): MigrationRecord.GraphRecord => {
  const step = { _tag: "BeginMigrations", from, to: 2, mode: "switch", fromSystem: "/store/one", toSystem: "/store/two", migrations: [m("a"), m("b", ["a"])], settings: defaultSettings } as unknown as BeginMigrationsStep;
  const begun = MigrationRecord.begin(step);
  const done = MigrationRecord.update(MigrationRecord.update(begun, "a", { status: "done" }), "b", { status: "done" });
  return { ...done, paused: { by: "b", items: ["reindex"] } };
};

const item = (resolutions: ReadonlyArray<ReadonlyArray<Migration>>, severity: Item["severity"] = "error"): Item => ({
  id: "reindex",
  severity,
  message: "the index is stale",
  resolutions: resolutions.map((migrations, i) => ({ id: `r${i}`, description: `way ${i}`, migrations: [...migrations] })),
});

const chosen = (record: MigrationRecord.GraphRecord, it: Item, resolution: string) => {
  const r = NewItems.choose(null, NewItems.reported(null, record, [it]), it.id, resolution);
  if (E.isLeft(r)) throw new Error(r.left);
  expect(r.right.target).toBe("migrations");
  return r.right.file;
};

describe("items migrations report", () => {
  it("keep the pause while an error item is unsettled, then add the chosen migrations as pending and lift it", () => {
    const record = graph();
    const it = item([[m("c", ["b"])], []]);
    const pending = NewItems.reported(null, record, [it]);
    expect(NewItems.continued(record, pending)).toEqual(E.left({ _tag: "Unsettled", items: [it] }));
    const next = NewItems.continued(record, chosen(record, it, "r0"));
    if (E.isLeft(next)) throw new Error(JSON.stringify(next.left));
    expect(next.right.paused).toBeNull();
    expect(next.right.migrations.map((x) => x.id)).toEqual(["a", "b", "c"]);
    expect(next.right.progress.c?.status).toBe("pending");
    expect(E.isRight(MigrationRecord.check(next.right))).toBe(true);
    // Continuing again adds nothing; a resolution that runs nothing just lifts the pause.
    expect(NewItems.continued(next.right, chosen(record, it, "r0"))).toEqual(E.right(next.right));
    expect(NewItems.continued(record, chosen(record, it, "r1"))).toEqual(E.right({ ...record, paused: null }));
  });

  it("refuse migrations that would break the graph, and leave it as it was", () => {
    const record = graph();
    const refused = (migrations: ReadonlyArray<Migration>) => NewItems.continued(record, chosen(record, item([migrations]), "r0"));
    expect(refused([m("c", ["zz"])])).toMatchObject({ left: { _tag: "InvalidGraph", message: expect.stringContaining("requires 'zz'") } });
    expect(refused([m("c", ["d"]), m("d", ["c"])])).toMatchObject({ left: { _tag: "InvalidGraph", message: expect.stringContaining("cycle: c -> d -> c") } });
    expect(refused([{ id: "a", run: ["bin/other"] }])).toMatchObject({ left: { _tag: "InvalidGraph", message: expect.stringContaining("another migration 'a'") } });
  });

  it("belong to their graph: another transition's record settles nothing, and a warning does not hold the pause", () => {
    const file = chosen(graph(), item([[m("c")]]), "r0");
    expect(NewItems.current(file, graph(3))).toBeNull();
    expect(NewItems.continued(graph(3), file)).toEqual(E.right({ ...graph(3), paused: null }));
    expect(NewItems.continued(graph(), NewItems.reported(null, graph(), [item([[m("c")]], "warning")]))).toEqual(E.right({ ...graph(), paused: null }));
    // Reported again (the migration ran again), an item keeps the choice made for it.
    expect(NewItems.reported(file, graph(), [item([[m("c")]])]).choices).toEqual([{ item: "reindex", resolution: "r0" }]);
  });

  it("are chosen before the checks' items, and an unknown id lists both", () => {
    const checks = { version: 1, transition: { from: 1, to: 2, systems: "x" }, items: [{ id: "db", severity: "error", message: "m", resolutions: [{ id: "ok", description: "d" }] }], choices: [] } as never;
    const reported = NewItems.reported(null, graph(), [item([[m("c")]])]);
    expect(NewItems.choose(checks, reported, "db", "ok")).toMatchObject({ right: { target: "checks" } });
    expect(NewItems.choose(checks, reported, "nope", "ok")).toEqual(E.left("no pending item 'nope'; pending: db, reindex (see 'switchyard choices')"));
  });
});

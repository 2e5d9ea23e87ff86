/** The migration graph: what makes chosen migrations unschedulable is a plan error naming it. */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import type { Migration } from "../../../packages/model/src/checks/Item.js";
import * as Graph from "../../../packages/model/src/migrations/Graph.js";

const m = (id: string, requires: ReadonlyArray<string> = [], extra: Partial<Migration> = {}): Migration => ({ id, run: [`bin/${id}`], requires: [...requires], ...extra });

const error = (migrations: ReadonlyArray<Migration>) => {
  const g = Graph.of(migrations);
  if (E.isRight(g)) throw new Error("expected an error");
  return g.left;
};

describe("Graph.of", () => {
  it("orders by requirements, keeping the chosen order where they allow", () => {
    const g = Graph.of([m("c", ["a", "b"]), m("a"), m("b"), m("d")]);
    expect(E.isRight(g) && g.right.order.map((x) => x.id)).toEqual(["a", "b", "c", "d"]);
  });

  it("names a cycle as a path back to its start", () => {
    const e = error([m("a", ["c"]), m("b", ["a"]), m("c", ["b"]), m("x")]);
    expect(e._tag).toBe("Cycle");
    expect(e.message).toBe("the chosen migrations require each other in a cycle: a -> c -> b -> a; remove one of these requirements");
  });

  it("names a migration that requires itself", () => {
    expect(error([m("a", ["a"])]).message).toContain("cycle: a -> a");
  });

  it("names an unknown requirement and the migration that has it", () => {
    const e = error([m("a"), m("b", ["a", "zz"])]);
    expect(e).toMatchObject({ _tag: "UnknownRequirement", id: "b", requirement: "zz" });
    expect(e.message).toBe("migration 'b' requires 'zz', which no chosen resolution runs; choose the resolution that runs it");
  });

  it("refuses a migration chosen twice", () => {
    expect(error([m("a"), m("a")])).toMatchObject({ _tag: "DuplicateMigration", id: "a" });
  });

  it("refuses a migration before the reboot that requires one after it", () => {
    const e = error([m("late"), m("early", ["late"], { reboot: "before" })]);
    expect(e).toMatchObject({ _tag: "RebootOrder", id: "early", requirement: "late" });
  });

  it("finds everything downstream of a migration", () => {
    const g = Graph.of([m("a"), m("b", ["a"]), m("c", ["b"]), m("d")]);
    expect(E.isRight(g) && [...Graph.downstream(g.right, "a")].sort()).toEqual(["b", "c"]);
  });
});

/**
 * A run of removals (deleting generations) is one call of the port, but each removal is still a
 * step of its own: announced and finished in order, the one that fails named, the rest finished
 * by `recover`.
 */
import { Effect, Exit } from "effect";
import { describe, expect, it } from "vitest";
import * as Recover from "../../packages/interpreter/src/state/Recover.js";
import type { Steps } from "../../packages/interpreter/src/index.js";
import { apply, linkOf, memoryMachine, planOrThrow } from "../support/machine.js";

const machine = () => memoryMachine({ generations: [1, 2, 3, 4, 5, 6].map((number) => ({ number })), current: 6 });
const links = (m: ReturnType<typeof machine>) => Object.keys(m.snapshot()).filter((p) => /-\d+-link$/.test(p)).sort();

describe("a run of removals", () => {
  it("announces and finishes each removal in order, in one burst", async () => {
    const m = machine();
    const plan = await planOrThrow(m, { _tag: "Delete", pattern: "1..4" });
    const events: Array<string> = [];
    const exit = await apply(m, plan, (e) => events.push(e._tag === "Burst" ? `burst ${e.edge}` : e._tag === "Output" ? "output" : `${e._tag} ${e.index}`));
    expect(Exit.isSuccess(exit)).toBe(true);
    const removals = plan.steps.flatMap((s, i) => (s._tag === "RemoveLink" ? [i] : []));
    expect(removals).toHaveLength(4);
    const first = events.indexOf("burst start");
    expect(events.slice(first, first + 10)).toEqual(["burst start", ...removals.flatMap((i) => [`StepStarted ${i}`, `StepFinished ${i}`]), "burst end"]);
    expect(links(m)).toEqual([linkOf(5), linkOf(6)]);
  });

  it("stops at the removal that fails, naming it; recover finishes the rest", async () => {
    const m = machine();
    const plan = await planOrThrow(m, { _tag: "Delete", pattern: "1..4" });
    m.fs.failWhen((op, path) => op === "remove" && path.endsWith(`/${linkOf(3).split("/").pop()}`));
    const finished: Array<readonly [number, boolean]> = [];
    const exit = await apply(m, plan, (e: Steps.Event) => {
      if (e._tag === "StepFinished") finished.push([e.index, e.ok]);
    });
    expect(Exit.isFailure(exit)).toBe(true);
    const third = plan.steps.findIndex((s) => s._tag === "RemoveLink" && s.path === linkOf(3));
    expect(finished.at(-1)).toEqual([third, false]);
    expect(finished.filter(([, ok]) => !ok)).toHaveLength(1);
    expect(links(m)).toEqual([linkOf(3), linkOf(4), linkOf(5), linkOf(6)]);
    m.fs.clearFaults();
    const recovered = await Effect.runPromiseExit(Recover.recover({ root: m.root, settings: m.settings, command: "test" }).pipe(Effect.provide(m.layer)));
    expect(Exit.isSuccess(recovered)).toBe(true);
    expect(links(m)).toEqual([linkOf(5), linkOf(6)]);
  });
});

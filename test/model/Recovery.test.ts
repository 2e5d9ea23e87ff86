/**
 * `Recovery`: what recover does with a journal, from its plan and progress alone. The plans are
 * real ones (a switch with services, a delete, a boot-mode switch), so the commit point sits where
 * the planner puts it; every progress a journal can hold is tried, and every one it cannot hold is
 * refused.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import * as Recovery from "../../packages/model/src/plan/Recovery.js";
import type * as Request from "../../packages/model/src/plan/Request.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import * as Worlds from "../support/worlds.js";

const svc = (name: string, version: string) => ({ name, start: ["bin/svc", version] }) as unknown as ServiceRecord.ServiceRecordInput;

const world = Worlds.world(
  [
    { number: 1, services: [svc("db", "v1"), svc("web", "v1")] },
    { number: 2, services: [svc("db", "v2")] },
    { number: 3, services: [svc("db", "v2"), svc("web", "v3")] },
  ],
  { current: 3 },
);

const planOf = (operation: Request.Between, mode: Plan.Mode = "switch"): Plan.Plan => {
  const p = Transition.between(world, { operation, mode, nowMs: Worlds.EPOCH_MS + 10 * Worlds.DAY_MS });
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

const plans = {
  "switch 3 → 1": planOf({ _tag: "Switch", spec: "1" }),
  "boot 3 → 2": planOf({ _tag: "Switch", spec: "2" }, "boot"),
  "delete 1": planOf({ _tag: "Delete", pattern: "1" }),
} as const;

const commitOf = (plan: Plan.Plan): number => plan.steps.findIndex((s) => s._tag === "Commit");

describe.each(Object.entries(plans))("Recovery of %s", (_name, plan) => {
  const commit = commitOf(plan);

  it("has a commit point to decide around", () => {
    expect(commit).toBeGreaterThanOrEqual(0);
    expect(plan.revert.length > 0 || commit === 0).toBe(true);
  });

  it("reverts from the first revert step while the commit was not recorded", () => {
    for (let done = -1; done < commit; done++) {
      const r = Recovery.decide({ plan, progress: { phase: "forward", done } });
      expect(r, `done ${done}`).toEqual({
        _tag: "Revert",
        from: 0,
        reason: `the interrupted apply had not reached its commit point (step ${commit + 1} of ${plan.steps.length}), so it was reverted`,
      });
    }
  });

  it("finishes from the step after the last recorded one once the commit was recorded, never running a step before it again", () => {
    for (let done = commit; done < plan.steps.length; done++) {
      const r = Recovery.decide({ plan, progress: { phase: "forward", done } });
      expect(r._tag, `done ${done}`).toBe("Finish");
      if (r._tag !== "Finish") continue;
      expect(r.from).toBe(done + 1);
      expect(r.from).toBeGreaterThan(commit);
      expect(r.reason).toMatch(done + 1 === plan.steps.length ? /had run all [0-9]+ of its steps and only its journal was left, so it was finished$/ : new RegExp(`passed its commit point \\(step ${commit + 1} of ${plan.steps.length}\\), so it was finished$`));
    }
  });

  it("continues a revert after its last recorded step", () => {
    for (let done = -1; done < plan.revert.length; done++) {
      expect(Recovery.decide({ plan, progress: { phase: "revert", done } })).toEqual({
        _tag: "Revert",
        from: done + 1,
        reason: "the interrupted apply was already reverting, so the revert was completed",
      });
    }
  });

  it("accepts exactly the progress records that fit the plan", () => {
    fc.assert(
      fc.property(fc.constantFrom("forward" as const, "revert" as const), fc.oneof(fc.integer({ min: -5, max: 60 }), fc.double({ noNaN: true, min: -5, max: 60 })), (phase, done) => {
        const length = phase === "forward" ? plan.steps.length : plan.revert.length;
        const fits = Number.isInteger(done) && done >= -1 && done < length;
        const checked = Recovery.check(plan, { phase, done });
        expect(E.isRight(checked), `${phase} ${done} of ${length}`).toBe(fits);
        if (E.isLeft(checked)) expect(checked.left).toContain(`step ${done} of the ${phase} phase is done, but that phase has ${length} step`);
      }),
    );
  });
});

describe("Recovery without a journal", () => {
  it("does nothing", () => {
    expect(Recovery.decide(null)).toEqual({ _tag: "Nothing", reason: "no interrupted apply" });
  });

  it("starts a journal at the beginning of the forward phase", () => {
    expect(Recovery.start).toEqual({ phase: "forward", done: -1 });
    expect(Recovery.decide({ plan: plans["switch 3 → 1"], progress: Recovery.start })._tag).toBe("Revert");
  });
});

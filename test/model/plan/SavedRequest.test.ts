import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Bless from "../../../packages/model/src/boot/Bless.js";
import * as GrubEnv from "../../../packages/model/src/boot/grub/GrubEnv.js";
import * as Grub from "../../../packages/model/src/boot/grub/Grub.js";
import * as GenerationNumber from "../../../packages/model/src/world/GenerationNumber.js";
import * as InRootPath from "../../../packages/model/src/paths/InRootPath.js";
import * as Plan from "../../../packages/model/src/plan/Plan.js";
import * as PlanFile from "../../../packages/model/src/plan/PlanFile.js";
import * as Preconditions from "../../../packages/model/src/plan/Preconditions.js";
import type * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";
import * as Transition from "../../../packages/model/src/transition/Transition.js";
import type * as World from "../../../packages/model/src/world/World.js";
import * as Worlds from "../../support/worlds.js";

const right = <A>(e: E.Either<{ readonly message: string } | string, A>): A => {
  if (E.isLeft(e)) throw new Error(typeof e.left === "string" ? e.left : e.left.message);
  return e.right;
};

const svc = (name: string, ...start: ReadonlyArray<string>) => ({ name, start }) as unknown as ServiceRecord.ServiceRecordInput;

const world = Worlds.world(
  [
    { number: 1, services: [svc("web", "bin/web", "1")] },
    { number: 2, services: [svc("web", "bin/web", "2")] },
    { number: 3, services: [svc("web", "bin/web", "3"), svc("db", "bin/db")] },
  ],
  { current: 3, settings: { serviceManager: "s6" }, liveServices: ["db", "web"] },
);
// 2.5 days after generation 3 was made: "2d" then matches generations 1 and 2 only.
const NOW = Worlds.EPOCH_MS + 5.5 * Worlds.DAY_MS;
const added = { system: InRootPath.unsafe("/store/4-system"), manifest: { _tag: "Valid", manifest: Worlds.manifest({ number: 4 }) } as const };

/** Generation 2 booted on trial (GRUB's environment block says so), generation 3 the default. */
const onTrial: World.World = (() => {
  const base = Worlds.world([{ number: 1 }, { number: 2 }, { number: 3 }]);
  const two = base.generations[1] as World.Generation;
  const env = right(GrubEnv.render([["switchyard_trial", "2"], ["switchyard_tries", "0"]], Grub.ENV));
  return {
    ...base,
    booted: { target: two.system, system: two.system, generation: two.number, manifest: two.manifest },
    bootFiles: { files: { [Grub.ENV]: env } },
  };
})();

/** The plan `apply --plan` computes again for a saved plan, against `now`. */
const again = (saved: Plan.Plan, now: World.World): Plan.Plan => {
  const request = Transition.savedRequest(saved);
  switch (request._tag) {
    case "Adding":
      return right(Transition.adding(now, { ...request, manifest: added.manifest }));
    case "Blessing":
      return right(Bless.plan(now, request.verdict)).plan;
    case "Between":
      return right(Transition.between(now, request.request));
  }
};

const cases: ReadonlyArray<readonly [string, () => Plan.Plan]> = [
  ["switch", () => right(Transition.between(world, { operation: { _tag: "Switch", spec: "1" }, mode: "switch", services: "conservative", nowMs: NOW }))],
  ["rollback in test mode", () => right(Transition.between(world, { operation: { _tag: "Rollback" }, mode: "test", nowMs: NOW }))],
  ["delete by age", () => right(Transition.between(world, { operation: { _tag: "Delete", pattern: "2d" }, mode: "switch", nowMs: NOW }))],
  ["add", () => right(Transition.adding(world, { ...added, nowMs: NOW, utcOffsetMinutes: 120 }))],
  ["rollback on trial, 3 attempts", () => right(Transition.between(world, { operation: { _tag: "Rollback" }, mode: "try", attempts: 3, nowMs: NOW }))],
];

/** A trial with one try left, not yet booted: what `bless --bad` gives up. */
const armed: World.World = { ...onTrial, booted: Worlds.world([{ number: 1 }, { number: 2 }, { number: 3 }]).booted, bootFiles: { files: { [Grub.ENV]: right(GrubEnv.render([["switchyard_trial", "2"], ["switchyard_tries", "1"]], Grub.ENV)) } } };

/** Bless plans, each with the world it is made from. */
const trialCases: ReadonlyArray<readonly [string, World.World, "good" | "bad"]> = [
  ["bless", onTrial, "good"],
  ["bless --bad", armed, "bad"],
];

describe("a saved plan records its whole request", () => {
  it.each(cases)("%s: the plan computed again from the saved document is the same, step for step", (_, make) => {
    const saved = right(PlanFile.fromText(PlanFile.toText(make()), "plan.json"));
    expect(saved.steps.length).toBeGreaterThan(0);
    expect(Plan.firstDifference(saved, again(saved, world))).toBeNull();
    expect(again(saved, world)).toEqual(saved);
  });

  it.each(trialCases)("%s: planned again from the booted generation and the bootloader's files, the same", (_, trialWorld, verdict) => {
    const saved = right(PlanFile.fromText(PlanFile.toText(right(Bless.plan(trialWorld, verdict)).plan), "plan.json"));
    expect(saved.operation).toEqual({ _tag: "Bless", verdict });
    expect(saved.steps.length).toBeGreaterThan(1);
    expect(again(saved, trialWorld)).toEqual(saved);
    // Once the trial is settled there is nothing left to do: the saved plan is not what a fresh one does.
    expect(Plan.firstDifference(saved, again(saved, { ...trialWorld, bootFiles: { files: {} } }))).not.toBeNull();
  });

  it("a trial records its attempts: the same request with other attempts is another plan", () => {
    const trial = (cases[4] as (typeof cases)[number])[1]();
    expect([trial.mode, trial.attempts]).toEqual(["try", 3]);
    expect(trial.boot?.trial).toEqual({ generation: 2, attempts: 3 });
    const once = right(Transition.between(world, { operation: { _tag: "Rollback" }, mode: "try", attempts: 1, nowMs: NOW }));
    expect(Plan.firstDifference(trial, once)).not.toBeNull();
    // Every other mode records none.
    expect((cases[0] as (typeof cases)[number])[1]().attempts).toBeNull();
  });

  it("delete and add keep the clock reading they were made with; switch needs none", () => {
    expect(cases.map(([name, make]) => [name, make().nowMs, make().utcOffsetMinutes])).toEqual([
      ["switch", null, null],
      ["rollback in test mode", null, null],
      ["delete by age", NOW, null],
      ["add", NOW, 120],
      ["rollback on trial, 3 attempts", null, null],
    ]);
    const del = (cases[2] as (typeof cases)[number])[1]();
    expect(del.delete).toEqual([1, 2]);
    // The same request computed with another clock reading deletes less: the reading is part of the request.
    const later = right(Transition.between(world, { operation: { _tag: "Delete", pattern: "2d" }, mode: "switch", nowMs: NOW - Worlds.DAY_MS }));
    expect(Plan.firstDifference(del, later)).not.toBeNull();
  });

  it("records the settings and the live services with their revisions", () => {
    const p = (cases[0] as (typeof cases)[number])[1]();
    expect(p.settings).toEqual(world.settings);
    expect(p.servicesPolicy).toBe("conservative");
    expect(p.preconditions.services).toEqual([
      ["db", null],
      ["web", null],
    ]);
  });
});

describe("the first difference between a saved and a fresh plan", () => {
  const saved = (cases[0] as (typeof cases)[number])[1]();

  it("names the step, 1-based, and what each plan does there", () => {
    const i = saved.steps.findIndex((s) => s._tag === "WriteFile" && s.path === "/boot/grub/grub.cfg");
    const edited = { ...saved, steps: saved.steps.map((s, k) => (k === i && s._tag === "WriteFile" ? { ...s, path: InRootPath.unsafe("/etc/evil") } : s)) };
    const d = Plan.firstDifference(edited, saved);
    expect(d).toMatchObject({ phase: "steps", index: i });
    expect(Plan.describeDifference(d as Plan.Difference)).toMatch(new RegExp(`^step ${i + 1} is 'write /etc/evil \\(\\d+ bytes\\)' in the saved plan but 'write /boot/grub/grub.cfg \\(\\d+ bytes\\)' in a fresh plan$`));
  });

  it("sees a change that reads the same, an extra step, and a changed revert", () => {
    const i = saved.steps.findIndex((s) => s._tag === "WriteFile" && s.path === "/boot/grub/grub.cfg");
    const sameLength = { ...saved, steps: saved.steps.map((s, k) => (k === i && s._tag === "WriteFile" ? { ...s, content: s.content.replace("set timeout=5", "set timeout=9") } : s)) };
    expect(Plan.describeDifference(Plan.firstDifference(sameLength, saved) as Plan.Difference)).toContain("with other contents");
    const extra = { ...saved, steps: [...saved.steps, { _tag: "RemoveFile", path: InRootPath.unsafe("/etc/passwd") } as const] };
    expect(Plan.describeDifference(Plan.firstDifference(extra, saved) as Plan.Difference)).toBe(
      `step ${saved.steps.length + 1} is 'remove /etc/passwd' in the saved plan but no step in a fresh plan`,
    );
    const revert = { ...saved, revert: saved.revert.slice(1) };
    expect(Plan.firstDifference(revert, saved)).toMatchObject({ phase: "revert", index: 0 });
  });
});

describe("preconditions on the live services", () => {
  const base = Preconditions.of(world);
  const withServices = (services: Preconditions.Preconditions["services"]) => ({ ...base, services });

  it("name the service that went down, came up, or runs another revision", () => {
    const expected = withServices([["db", "r1"], ["web", "r2"]]);
    expect(Preconditions.difference(expected, expected)).toBeNull();
    expect(Preconditions.difference(expected, withServices([["web", "r2"]]))).toBe("service db is no longer up (the plan expected it up on revision r1)");
    expect(Preconditions.difference(expected, withServices([["db", "r1"], ["web", "r3"]]))).toBe("service web now runs revision r3 (the plan expected r2)");
    expect(Preconditions.difference(expected, withServices([["cache", null], ["db", "r1"], ["web", "r2"]]))).toBe("service cache is up now (the plan expected it down)");
  });
});

describe("preconditions on the pins", () => {
  it("a pin added after a delete was planned makes that plan stale, naming the pins", () => {
    const del = right(Transition.between(world, { operation: { _tag: "Delete", pattern: "1" }, mode: "switch", nowMs: NOW }));
    expect(Preconditions.difference(del.preconditions, Preconditions.of(world))).toBeNull();
    const pinned = { ...world, pins: [GenerationNumber.unsafe(1)] };
    expect(Preconditions.difference(del.preconditions, Preconditions.of(pinned))).toBe("the pinned generations are now 1 (the plan expected none)");
    // And a fresh plan refuses the delete outright.
    expect(E.isLeft(Transition.between(pinned, { operation: { _tag: "Delete", pattern: "1" }, mode: "switch", nowMs: NOW }))).toBe(true);
  });
});

import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Confirmation from "../../packages/model/src/transition/Confirmation.js";
import * as Hooks from "../../packages/model/src/transition/Hooks.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as Manifest from "../../packages/model/src/world/Manifest.js";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import type * as Step from "../../packages/model/src/plan/Step.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import type * as World from "../../packages/model/src/world/World.js";
import * as Worlds from "../support/worlds.js";

type HookSet = NonNullable<Manifest.Manifest["hooks"]>;
const ALL: HookSet = { preSwitch: ["bin/pre"], postSwitch: ["bin/post", "--quick"], checkHealth: ["bin/health"] };

const svc = (name: string, version: string, extra: Record<string, unknown> = {}) => ({ name, start: ["bin/svc", version], ...extra }) as unknown as ServiceRecord.ServiceRecordInput;

/** Generations 1..3 with services, an activation script and `hooks` on every one; `live` services up. */
const machine = (current: number, hooks: HookSet = ALL, live: ReadonlyArray<string> = ["db", "web"], bootloader: World.Settings["bootloader"] = "grub"): World.World => {
  const w = Worlds.world(
    [1, 2, 3].map((n) => ({ number: n, activate: `/store/${n}-system/activate`, services: [svc("db", `v${n}`), svc("web", `v${n}`, { requires: ["db"] }), ...(n === 2 ? [svc("cache", "v2")] : [])] })),
    { current, settings: { serviceManager: "s6", bootloader }, liveServices: live },
  );
  const generations = w.generations.map((g) => (g.manifest._tag === "Valid" ? { ...g, manifest: { _tag: "Valid" as const, manifest: { ...g.manifest.manifest, hooks } } } : g));
  const running = generations.find((g) => g.number === current);
  return { ...w, generations, running: { ...w.running, manifest: running?.manifest ?? null } };
};

const planFor = (world: World.World, spec: string, mode: Plan.Mode = "switch"): Plan.Plan => {
  const p = Transition.between(world, { operation: { _tag: "Switch", spec }, mode, nowMs: 0 });
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

const indexOf = (steps: ReadonlyArray<Step.Step>, f: (s: Step.Step) => boolean): number => steps.findIndex(f);
const lastIndexOf = (steps: ReadonlyArray<Step.Step>, f: (s: Step.Step) => boolean): number => steps.map(f).lastIndexOf(true);
const isHook = (hook: string) => (s: Step.Step) => s._tag === "RunHook" && s.hook === hook;
const isService = (s: Step.Step) => s._tag === "StartService" || s._tag === "RestartService" || s._tag === "ReloadService";

describe("hooks in the plan", () => {
  it("puts the post-switch hook after the activation and before any service starts, and the health hook after them, before Commit", () => {
    const p = planFor(machine(1), "2");
    const post = indexOf(p.steps, isHook("postSwitch"));
    const health = indexOf(p.steps, isHook("checkHealth"));
    expect(post).toBeGreaterThan(indexOf(p.steps, (s) => s._tag === "RunActivation"));
    expect(post).toBeLessThan(indexOf(p.steps, isService));
    expect(health).toBeGreaterThan(lastIndexOf(p.steps, isService));
    expect(health).toBeLessThan(indexOf(p.steps, (s) => s._tag === "CheckLink"));
    expect(health).toBeLessThan(indexOf(p.steps, (s) => s._tag === "Commit"));
    const step = p.steps[post];
    expect(step).toMatchObject({ _tag: "RunHook", system: Worlds.systemDir(2), argv: ["bin/post", "--quick"] });
  });

  it("asks the pre-switch hook of the generation being left, not the target's, and records it in the plan", () => {
    const p = planFor(machine(3), "1");
    expect(p.preSwitch).toEqual({
      hook: "preSwitch",
      system: Worlds.systemDir(3),
      argv: ["bin/pre"],
      env: {
        SWITCHYARD_HOOK: "preSwitch",
        SWITCHYARD_FROM: "3",
        SWITCHYARD_TO: "1",
        SWITCHYARD_DIRECTION: "rollback",
        SWITCHYARD_FROM_SYSTEM: Worlds.systemDir(3),
        SWITCHYARD_TO_SYSTEM: Worlds.systemDir(1),
        SWITCHYARD_MODE: "switch",
        SWITCHYARD_EPOCHS: "{}",
      },
    });
    expect(planFor(machine(1), "3").preSwitch?.env["SWITCHYARD_DIRECTION"]).toBe("upgrade");
  });

  it("runs no hook when nothing changes, and only the pre-switch hook when nothing is activated (boot)", () => {
    const same = planFor(machine(2, ALL, ["cache", "db", "web"], "none"), "2");
    expect([same.steps, same.preSwitch]).toEqual([[], undefined]);
    const boot = planFor(machine(1), "2", "boot");
    expect(boot.preSwitch?.hook).toBe("preSwitch");
    expect(boot.steps.some((s) => s._tag === "RunHook")).toBe(false);
  });

  it("never puts a hook in the revert steps, whichever hooks the generations have and wherever the switch goes", () => {
    const hookSets = fc.record({ preSwitch: fc.constant(["bin/pre"]), postSwitch: fc.constant(["bin/post"]), checkHealth: fc.constant(["bin/health"]) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), hookSets, fc.constantFrom<Plan.Mode>("switch", "test", "boot"), (from, to, hooks, mode) => {
        const p = planFor(machine(from, hooks), String(to), mode);
        expect(p.revert.some((s) => s._tag === "RunHook")).toBe(false);
        const forward = p.steps.filter((s) => s._tag === "RunHook").map((s) => (s._tag === "RunHook" ? s.hook : ""));
        const expected = mode === "boot" || from === to ? [] : (["postSwitch", "checkHealth"] as const).filter((h) => hooks[h] !== undefined);
        expect(forward).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("tells the direction by generation number", () => {
    const n = (k: number) => k as Parameters<typeof Hooks.direction>[1];
    expect([Hooks.direction(null, n(1)), Hooks.direction(n(1), n(2)), Hooks.direction(n(3), n(2)), Hooks.direction(n(2), n(2))]).toEqual(["upgrade", "upgrade", "rollback", "same"]);
  });
});

describe("hooks in the manifest", () => {
  const system = InRootPath.unsafe("/store/1-system");
  const base = { schema: 1, label: "x", boot: { kernel: "kernel" } };
  it("decodes the hooks, and refuses one that leaves the system directory or an unknown hook", () => {
    const ok = Manifest.decode({ ...base, hooks: { checkHealth: ["bin/health", "-v"] } }, system, "m.json");
    expect(E.isRight(ok) && ok.right.hooks).toEqual({ checkHealth: ["bin/health", "-v"] });
    const out = Manifest.decode({ ...base, hooks: { preSwitch: ["../other/bin/pre"] } }, system, "m.json");
    expect(E.isLeft(out) && out.left.message).toMatch(/leaves the system directory/);
    const typo = Manifest.decode({ ...base, hooks: { postswitch: ["bin/post"] } }, system, "m.json");
    expect(E.isLeft(typo) && typo.left.message).toMatch(/unknown field 'postswitch'; did you mean 'postSwitch'/);
  });
});

describe("the way back of a provisional switch", () => {
  it("undoes the services, the links and the boot menu, runs no hook, and carries the forward steps (without hooks) as its own revert", () => {
    const world = { ...machine(1), bootConfig: { path: Worlds.defaultSettings.bootConfig, content: "old menu", digest: "d" } };
    const p = planFor(world, "2");
    const back = Confirmation.revertPlan(world, p);
    if (E.isLeft(back)) throw new Error(back.left.message);
    const b = back.right;
    expect(b.steps.slice(0, p.revert.length)).toEqual(p.revert);
    const after = b.steps.slice(p.revert.length + 1);
    expect(after[0]).toEqual({ _tag: "ReplaceSymlink", path: world.settings.profile, target: "system-1-link" });
    expect(after.some((s) => s._tag === "WriteFile" && s.path === world.settings.bootConfig)).toBe(true);
    expect([...b.steps, ...b.revert].some((s) => s._tag === "RunHook")).toBe(false);
    expect(b.revert).toEqual(p.steps.slice(0, p.steps.findIndex((s) => s._tag === "Commit")).filter((s) => s._tag !== "RunHook"));
    expect([b.from, b.to]).toEqual([2, 1]);
  });

  it("is refused for a plan that activates nothing", () => {
    const world = machine(1);
    const back = Confirmation.revertPlan(world, planFor(world, "2", "boot"));
    expect(E.isLeft(back) && back.left.message).toMatch(/--confirm-within needs a live switch/);
  });
});

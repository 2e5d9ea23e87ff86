/**
 * Hooks and confirm-or-revert through the real interpreter on the in-memory machine, with the
 * scripted process runner standing in for the hooks and the watcher.
 */
import { Cause, Effect, Exit, Option } from "effect";
import { describe, expect, it } from "vitest";
import * as Apply from "../../packages/interpreter/src/apply/Apply.js";
import * as Settle from "../../packages/interpreter/src/apply/Settle.js";
import * as Confirmation from "../../packages/interpreter/src/state/Confirmation.js";
import * as MemoryProcessRunner from "../../packages/interpreter/src/memory/MemoryProcessRunner.js";
import type { RunRequest } from "../../packages/interpreter/src/ports/ProcessRunner.js";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import { type Machine, memoryMachine, NOW_MS, planOrThrow, systemOf } from "../support/machine.js";

const svc = (name: string, version: string) => ({ name, start: ["bin/svc", version] }) as unknown as ServiceRecord.ServiceRecordInput;
const HOOKS = { preSwitch: ["bin/pre"], postSwitch: ["bin/post"], checkHealth: ["bin/health"] };

/** Generation 1 running web v1; generation 2 has web v2 and a new service, and both have every hook. */
const machine = () =>
  memoryMachine({
    generations: [
      { number: 1, services: [svc("web", "v1")], hooks: HOOKS },
      { number: 2, services: [svc("web", "v2"), svc("cache", "v2")], hooks: HOOKS },
    ],
    current: 1,
    runningServices: [["web", { generation: 1, system: systemOf(1) }]],
  });

/** A runner where the hook named `failing` exits 4 (its last line says why); it records which hooks ran and how. */
const hookRunner = (failing: string | null) => {
  const hooks: Array<string> = [];
  const runner = MemoryProcessRunner.make({
    script: (request: RunRequest) => {
      const hook = request.env.SWITCHYARD_HOOK;
      if (hook === undefined) return { _tag: "Exit", code: 0 };
      hooks.push(`${hook} ${request.argv[0]?.split("/").slice(-3).join("/")} ${request.env.SWITCHYARD_DIRECTION} ${request.env.SWITCHYARD_STAGE ?? ""}`.trim());
      return hook === failing ? { _tag: "Exit", code: 4, lines: ["starting", `${hook} says no`] } : { _tag: "Exit", code: 0 };
    },
  });
  return { runner, hooks };
};

const applyWith = (m: Machine, p: Plan.Plan, runner: MemoryProcessRunner.MemoryProcessRunner, extra: Partial<Apply.ApplyOptions> = {}) =>
  Effect.runPromiseExit(Apply.applyPlan(p, { root: m.root, settings: m.settings, command: "test", ...extra }).pipe(Effect.provide(runner.layer), Effect.provide(m.layer)));

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const f = Cause.failureOption(exit.cause);
  if (Option.isNone(f)) throw new Error(Cause.pretty(exit.cause));
  return f.value;
};

const base = (n: number): string => systemOf(n).split("/").slice(-1)[0] as string;
const GEN2 = base(2);
/** The machine without what the first apply stamps into the state directory. */
const withoutStamp = (t: ReturnType<Machine["snapshot"]>) => Object.fromEntries(Object.entries(t).filter(([k]) => k !== "/var/lib/switchyard/layout.v1"));

describe("hooks, applied", () => {
  it("a vetoing pre-switch hook leaves every byte and service as it was, and says which hook and why", async () => {
    const m = machine();
    const before = m.snapshot();
    const { runner, hooks } = hookRunner("preSwitch");
    const exit = await applyWith(m, await planOrThrow(m, { _tag: "Switch", spec: "2" }), runner);
    const e = failureOf(exit);
    expect(e._tag).toBe("Vetoed");
    expect((e as { message: string }).message).toBe(`pre-switch hook bin/pre (generation 1) refused the switch: it exited with status 4: preSwitch says no; nothing was changed`);
    expect(hooks).toEqual([`preSwitch ${base(1)}/bin/pre upgrade apply`]);
    expect(m.snapshot()).toEqual(before);
    expect(runner.runs.some((r) => r.env.SWITCHYARD_ACTION !== undefined)).toBe(false);
    expect([...m.services.running.keys()]).toEqual(["web"]);
  });

  for (const failing of ["postSwitch", "checkHealth"] as const) {
    it(`a failing ${failing} hook reverts the whole switch, and the revert runs no hook again`, async () => {
      const m = machine();
      const before = m.snapshot();
      const { runner, hooks } = hookRunner(failing);
      const p = await planOrThrow(m, { _tag: "Switch", spec: "2" });
      const e = failureOf(await applyWith(m, p, runner));
      expect(e).toMatchObject({ _tag: "ApplyFailed", outcome: { _tag: "Reverted" } });
      expect((e as { failure: { lastLines: ReadonlyArray<string> } }).failure.lastLines).toEqual(["starting", `${failing} says no`]);
      const ran = hooks.map((h) => h.split(" ")[0]);
      expect(ran).toEqual(failing === "postSwitch" ? ["preSwitch", "postSwitch"] : ["preSwitch", "postSwitch", "checkHealth"]);
      expect(hooks.slice(1).every((h) => h.includes(GEN2))).toBe(true);
      expect(withoutStamp(m.snapshot())).toEqual(before);
      expect([...m.services.running.entries()]).toEqual([["web", expect.objectContaining({ generation: 1 })]]);
    });
  }
});

describe("confirm or revert, applied", () => {
  const confirm = (nowMs: number) => ({
    withinMs: 60_000,
    nowMs: Effect.succeed(nowMs),
    watcher: (token: string) => ({ argv: ["switchyard", "confirm-watch", "--token", token], cwd: "/", logFile: "/machine/var/lib/switchyard/confirmation.log" }),
  });
  const settle = (m: Machine, runner: MemoryProcessRunner.MemoryProcessRunner, nowMs: number, watcher: boolean) =>
    Effect.runPromise(
      Settle.settle({ root: m.root, settings: m.settings, command: "recover", nowMs: Effect.succeed(nowMs), token: null, watcher: watcher ? confirm(nowMs).watcher : null }).pipe(
        Effect.provide(runner.layer),
        Effect.provide(m.layer),
      ),
    );
  const pending = (m: Machine, runner: MemoryProcessRunner.MemoryProcessRunner) => Effect.runPromise(Confirmation.read(m.root).pipe(Effect.provide(runner.layer), Effect.provide(m.layer)));

  it("journals the deadline and the way back, starts a watcher, refuses other applies, and at the deadline restores the machine", async () => {
    const m = machine();
    const { runner } = hookRunner(null);
    const before = m.snapshot();
    const p = await planOrThrow(m, { _tag: "Switch", spec: "2" });
    const exit = await applyWith(m, p, runner, { confirm: confirm(NOW_MS) });
    expect(Exit.isSuccess(exit) && exit.value.confirmation).toMatchObject({ from: 1, to: 2, deadlineMs: NOW_MS + 60_000, watcher: { pid: 10_000 } });
    expect(runner.detached.map((d) => d.argv.slice(1, 2))).toEqual([["confirm-watch"]]);
    const record = await pending(m, runner);
    expect(record?.revert.steps.some((s) => s._tag === "RunHook")).toBe(false);

    // Any other apply waits: the recorded way back must stay right.
    const other = failureOf(await applyWith(m, await planOrThrow(m, { _tag: "Switch", spec: "1" }), runner));
    expect(other).toMatchObject({ _tag: "ConfirmationError", reason: "Pending" });

    // Before the deadline a live watcher is left to wait; once it is lost, a new one is started.
    expect((await settle(m, runner, NOW_MS + 1000, true))._tag).toBe("Waiting");
    runner.kill(10_000);
    expect((await settle(m, runner, NOW_MS + 2000, true))._tag).toBe("Rewatched");
    expect(runner.detached).toHaveLength(2);

    // Past the deadline the recorded plan runs: every byte outside the state directory is back.
    expect((await settle(m, runner, NOW_MS + 61_000, false))._tag).toBe("Reverted");
    expect(await pending(m, runner)).toBeNull();
    const outsideState = (t: ReturnType<Machine["snapshot"]>) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith("/var/lib/switchyard/") || k.includes("profiles")));
    const { "/boot/grub/grub.cfg": menuAfter, ...restAfter } = outsideState(m.snapshot());
    const { "/boot/grub/grub.cfg": menuBefore, ...restBefore } = outsideState(before);
    expect(restAfter).toEqual(restBefore);
    expect(menuBefore).toBeUndefined();
    expect(menuAfter).toMatchObject({ kind: "file" });
    expect([...m.services.running.entries()]).toEqual([["web", expect.objectContaining({ generation: 1 })]]);
  });

  it("a failed provisional switch is reverted at once and leaves no pending confirmation", async () => {
    const m = machine();
    const { runner } = hookRunner("checkHealth");
    const p = await planOrThrow(m, { _tag: "Switch", spec: "2" });
    const e = failureOf(await applyWith(m, p, runner, { confirm: confirm(NOW_MS) }));
    expect(e).toMatchObject({ _tag: "ApplyFailed", outcome: { _tag: "Reverted" } });
    expect(await pending(m, runner)).toBeNull();
    expect(runner.detached).toHaveLength(0);
  });
});

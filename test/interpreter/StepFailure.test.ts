/**
 * A failed step keeps what failed and why, typed: the plan's step, the port's tagged error with its
 * reason, and where that left the machine (`ApplyFailed.outcome`). Activation scripts run through
 * the live process runner on a real root: one that hangs is ended at its timeout and reverted, one
 * that leaves a child in the background succeeds as soon as it exits.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Effect, Exit } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import * as Apply from "../../packages/interpreter/src/apply/Apply.js";
import type { ApplyFailed } from "../../packages/interpreter/src/Errors.js";
import { NodeProcessRunnerLive } from "../../packages/interpreter/src/node/NodeProcessRunner.js";
import * as Lock from "../../packages/interpreter/src/state/Lock.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as World from "../../packages/model/src/world/World.js";
import { cleanup, type Machine, memoryMachine, planOrThrow, realMachine, switchTo, systemOf } from "../support/machine.js";

const spec = { generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current: 3 } as const;
const machines: Array<Machine & { readonly dir?: string }> = [];
const pids: Array<string> = [];
afterAll(() => {
  for (const file of pids) {
    try {
      process.kill(Number(fs.readFileSync(file, "utf8").trim()), "SIGKILL");
    } catch {
      // gone already
    }
  }
  for (const m of machines) cleanup(m);
});

const failureOf = (exit: Exit.Exit<unknown, unknown>): ApplyFailed => {
  if (Exit.isSuccess(exit)) throw new Error("the apply succeeded");
  const e = exit.cause._tag === "Fail" ? exit.cause.error : null;
  if ((e as { _tag?: string } | null)?._tag !== "ApplyFailed") throw new Error(`not an ApplyFailed: ${String(exit.cause)}`);
  return e as ApplyFailed;
};

/** Apply with the live process runner in place of the scripted one, timing it. */
const applyLive = async (m: Machine, target: number, activationTimeoutMs: number) => {
  // The plan carries the activation timeout it runs with.
  const planned = await planOrThrow(m, { _tag: "Switch", spec: String(target) });
  const plan = { ...planned, settings: { ...planned.settings, activationTimeoutMs } };
  const started = Date.now();
  const exit = await Effect.runPromiseExit(
    Apply.applyPlan(plan, { root: m.root, settings: m.settings, command: "test" }).pipe(Effect.provide(NodeProcessRunnerLive), Effect.provide(m.layer)),
  );
  return { exit, elapsedMs: Date.now() - started };
};

const realWithActivation = async (target: number, script: string) => {
  const m = realMachine(spec);
  machines.push(m);
  await switchTo(m, 3);
  fs.writeFileSync(path.join(m.dir, systemOf(target), "activate"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return m;
};

describe("an activation script run for real", () => {
  it("that never ends is ended at its timeout: RunActivation failed with ProcessError TimedOut, reverted, lock released", async () => {
    const m = await realWithActivation(1, "echo activating; sleep 1000");
    const before = m.snapshot();
    const { exit, elapsedMs } = await applyLive(m, 1, 2000);
    const failure = failureOf(exit);
    expect(failure.failure.step?._tag).toBe("RunActivation");
    expect(failure.failure.cause).toMatchObject({ _tag: "ProcessError", reason: "TimedOut" });
    expect(failure.failure.message).toBe(`activation of ${systemOf(1)} timed out after 2s`);
    expect(failure.failure.lastLines).toEqual(["activating"]);
    expect(failure.outcome).toEqual({ _tag: "Reverted" });
    expect(elapsedMs).toBeLessThan(4500);
    expect(fs.existsSync(Lock.lockPath(m.root))).toBe(false);
    expect(m.snapshot()).toEqual(before);
  });

  it("that exits non-zero fails with ProcessError Failed and its status", async () => {
    const m = await realWithActivation(1, "echo broken >&2; exit 7");
    const failure = failureOf((await applyLive(m, 1, 10_000)).exit);
    expect(failure.failure.cause).toMatchObject({ _tag: "ProcessError", reason: "Failed" });
    expect(failure.failure.message).toBe(`activation script of ${systemOf(1)} exited with status 7`);
    expect(failure.failure.lastLines).toEqual(["broken"]);
  });

  it("that leaves a child in the background and exits 0 succeeds at once", async () => {
    const m = await realWithActivation(1, "");
    const file = path.join(m.dir, "child.pid");
    pids.push(file);
    fs.writeFileSync(path.join(m.dir, systemOf(1), "activate"), `#!/bin/sh\nsleep 1000 & echo $! > ${file}\necho activated\n`, { mode: 0o755 });
    const { exit, elapsedMs } = await applyLive(m, 1, 10_000);
    expect(Exit.isSuccess(exit), String(Exit.isFailure(exit) ? exit.cause : "")).toBe(true);
    expect(elapsedMs).toBeLessThan(3000);
  });
});

describe("a failed step in memory", () => {
  it("keeps the file system's tagged reason and the step", async () => {
    const m = memoryMachine(spec);
    machines.push(m);
    await switchTo(m, 3);
    const plan = await planOrThrow(m, { _tag: "Switch", spec: "1" });
    const current = `${m.root.prefix}${World.Paths.currentSystem}`;
    m.fs.failWhen((op, _path, to) => op === "rename" && to === current, "NoSpace");
    const exit = await Effect.runPromiseExit(Apply.applyPlan(plan, { root: m.root, settings: m.settings, command: "test" }).pipe(Effect.provide(m.layer)));
    m.fs.clearFaults();
    const failure = failureOf(exit);
    expect(failure.failure.step).toMatchObject({ _tag: "ReplaceSymlink", path: World.Paths.currentSystem });
    expect(failure.failure.cause).toMatchObject({ _tag: "FsError", reason: "NoSpace", op: "rename" });
    // The revert puts the same link back, through the same rename, which fails as well.
    expect(failure.outcome._tag).toBe("RevertFailed");
    if (failure.outcome._tag === "RevertFailed") expect(failure.outcome.revertFailure.cause).toMatchObject({ _tag: "FsError", reason: "NoSpace" });
  });

  it("keeps the service manager's tagged reason", async () => {
    const web = (v: string) => ({ name: "web", start: ["bin/web", v] }) as unknown as ServiceRecord.ServiceRecordInput;
    const m = memoryMachine({ generations: [{ number: 1, services: [web("1")] }, { number: 2, services: [web("2")] }], current: 1 });
    machines.push(m);
    await switchTo(m, 1);
    m.services.failOn("start", "web");
    m.services.failOn("restart", "web");
    const plan = await planOrThrow(m, { _tag: "Switch", spec: "2" });
    const failure = failureOf(await Effect.runPromiseExit(Apply.applyPlan(plan, { root: m.root, settings: m.settings, command: "test" }).pipe(Effect.provide(m.layer))));
    expect(failure.failure.step?._tag).toMatch(/^(Start|Restart)Service$/);
    expect(failure.failure.cause).toMatchObject({ _tag: "ServiceError", reason: "Injected", service: "web" });
  });
});

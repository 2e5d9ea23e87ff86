/**
 * A GRUB trial on a real root, checked with GRUB's own tools: every grub.cfg written passes
 * `grub-script-check`, and `grub-editenv list` reads the environment block switchyard wrote and the
 * one the boots left behind (the simulated GRUB saves it with `grub-editenv`, as `save_env` would).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import * as Bless from "../../packages/model/src/boot/Bless.js";
import * as Observe from "../../packages/interpreter/src/observe/Observe.js";
import { applyPlan, cleanUpMachines, grubMachine as machineOf, planFor, type Real } from "../support/boot-machines.js";
import { editenv, hostDisk } from "../support/esp.js";
import { bootGrub } from "../support/loaders.js";

afterEach(cleanUpMachines);

const grubMachine = (): Real => machineOf(3, 3);

const scriptCheck = (m: Real): void => {
  const r = spawnSync("grub-script-check", [path.join(m.dir, "boot/grub/grub.cfg")], { encoding: "utf8" });
  if (r.error !== undefined) throw new Error("grub-script-check not found: install grub-common");
  expect(`${r.stdout}${r.stderr}`).toBe("");
  expect(r.status).toBe(0);
};

const envList = (m: Real): ReadonlyArray<string> => {
  const file = path.join(m.dir, "boot/grub/grubenv");
  return fs.existsSync(file) ? editenv(file, "list").split("\n").filter((l) => l !== "") : [];
};

const boot = (m: Real): number => {
  const booted = bootGrub(hostDisk, path.join(m.dir, "boot/grub"), m.dir);
  for (const link of ["run/booted-system", "run/current-system"]) {
    fs.rmSync(path.join(m.dir, link), { force: true });
    fs.symlinkSync(booted.system, path.join(m.dir, link));
  }
  return booted.generation;
};

const bless = async (m: Real) => {
  const world = await Effect.runPromise(Observe.world(m.root, m.settings).pipe(Effect.provide(m.layer)));
  const o = Bless.plan(world, "good");
  if (o._tag === "Left") throw new Error(o.left.message);
  await applyPlan(m, o.right.plan);
};

describe("a GRUB trial on a real root", () => {
  it("arms with a block grub-editenv reads, counts down at boot, and blessing clears it", async () => {
    const m = grubMachine();
    await applyPlan(m, await planFor(m, { _tag: "Switch", spec: "3" }));
    scriptCheck(m);
    expect(envList(m)).toEqual([]);
    const block = path.join(m.dir, "boot/grub/grubenv");
    editenv(block, "create");
    editenv(block, "set", "saved_entry=kept");
    await applyPlan(m, await planFor(m, { _tag: "Switch", spec: "2" }, "try", 2));
    scriptCheck(m);
    expect(fs.statSync(block).size).toBe(1024);
    expect(envList(m)).toEqual(["saved_entry=kept", "switchyard_trial=2", "switchyard_tries=2"]);
    expect(boot(m)).toBe(2);
    expect(envList(m)).toEqual(["saved_entry=kept", "switchyard_trial=2", "switchyard_tries=1"]);
    await bless(m);
    scriptCheck(m);
    expect(envList(m)).toEqual(["saved_entry=kept"]);
    expect(fs.readlinkSync(path.join(m.dir, "var/lib/switchyard/profiles/system"))).toBe("system-2-link");
    expect(boot(m)).toBe(2);
    expect(boot(m)).toBe(2);
  });

  it("falls back once the attempts are spent, leaving a block that still says which generation failed", async () => {
    const m = grubMachine();
    await applyPlan(m, await planFor(m, { _tag: "Switch", spec: "3" }));
    await applyPlan(m, await planFor(m, { _tag: "Switch", spec: "1" }, "try"));
    expect(boot(m)).toBe(1);
    expect(envList(m)).toEqual(["switchyard_trial=1", "switchyard_tries=0"]);
    expect(boot(m)).toBe(3);
    expect(boot(m)).toBe(3);
    expect(envList(m)).toEqual(["switchyard_trial=1", "switchyard_tries=0"]);
  });
});

/**
 * Real roots for boot tests: generations with a kernel and an initrd each, GRUB or systemd-boot (on
 * a tmpfs ESP mounted at /boot), and plan/apply as the CLI does them, with a trial's attempts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Effect, Exit } from "effect";
import * as Apply from "../../packages/interpreter/src/apply/Apply.js";
import * as Observe from "../../packages/interpreter/src/observe/Observe.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import type * as Request from "../../packages/model/src/plan/Request.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import { mountTmpfs, unmount } from "./esp.js";
import { NOW_MS, cleanup, realMachine, systemOf, type Machine } from "./machine.js";

export type Real = Machine & { readonly dir: string };
const machines: Array<{ readonly m: Real; readonly esp: boolean }> = [];

/** Unmount and remove every machine made here (call from afterEach). */
export const cleanUpMachines = (): void => {
  for (const { m, esp } of machines.splice(0)) {
    if (esp) unmount(path.join(m.dir, "boot"));
    cleanup(m);
  }
};

/** Generations 1..count with GRUB, current `current`. */
export const grubMachine = (count: number, current: number): Real => {
  const m = realMachine({ generations: Array.from({ length: count }, (_, i) => ({ number: i + 1 })), current });
  for (let n = 1; n <= count; n++) fs.writeFileSync(path.join(m.dir, systemOf(n), "initrd"), `initrd ${n}`);
  machines.push({ m, esp: false });
  return m;
};

/** Generations 1..count (each with a kernel and an initrd), current `current`, systemd-boot on a tmpfs ESP at /boot. */
export const sdMachine = (count: number, current: number, menuLimit = 100): Real => {
  const base = grubMachine(count, current);
  fs.rmSync(path.join(base.dir, "boot"), { recursive: true, force: true });
  mountTmpfs(path.join(base.dir, "boot"));
  machines.push({ ...(machines.pop() as { m: Real }), esp: true });
  return { ...base, settings: { ...base.settings, bootloader: "systemd-boot", boot: { esp: InRootPath.unsafe("/boot"), menuLimit } } };
};

export const planFor = async (m: Machine, operation: Request.Between, mode: Plan.Mode = "switch", attempts?: number): Promise<Plan.Plan> => {
  const world = await Effect.runPromise(Observe.world(m.root, m.settings).pipe(Effect.provide(m.layer)));
  const p = Transition.between(world, { operation, mode, nowMs: NOW_MS, ...(attempts === undefined ? {} : { attempts }) });
  if (p._tag === "Left") throw new Error(p.left.message);
  return p.right;
};

export const applyPlan = async (m: Machine, p: Plan.Plan): Promise<void> => {
  const exit = await Effect.runPromiseExit(Apply.applyPlan(p, { root: m.root, settings: m.settings, command: "test" }).pipe(Effect.provide(m.layer)));
  if (Exit.isFailure(exit)) throw new Error(`apply failed: ${JSON.stringify(exit.cause)}`);
};

/** `switchyard apply switch N --mode test`: the running system and the services move to N; the profile and the boot menu stay. */
import type fc from "fast-check";
import { expect } from "vitest";
import * as M from "./Model.js";
import { carriedOut, prepare } from "./Prepared.js";
import { count, squash, type Real } from "./Real.js";

export class TestModeCommand implements fc.AsyncCommand<M.Model, Real> {
  constructor(readonly pick: M.Pick) {}
  private get operation(): M.Operation {
    return { _tag: "Switch", pick: this.pick, mode: "test" };
  }

  /** The target exists. */
  check = (model: Readonly<M.Model>): boolean => carriedOut(model as M.Model, this.operation);

  async run(model: M.Model, real: Real): Promise<void> {
    const { before, next, plan, label } = await prepare(model, real, this.operation, this.toString());
    const n = M.resolvePick(before, this.pick);
    expect(plan.to, label).toBe(n);
    expect(plan.boot, `${label} writes no boot menu`).toBeNull();
    expect(plan.steps.some((s) => s._tag === "ReplaceSymlink" && s.path === real.machine.settings.profile), `${label} leaves the profile alone`).toBe(false);
    const menu = real.machine.snapshot()["/boot/grub/grub.cfg"];
    const activations = real.machine.activations.length;
    squash(await real.apply(plan));
    count("test mode");
    const target = M.systemOf(before, n);
    expect(real.machine.activations.slice(activations), label).toEqual(M.systemOf(before, before.running) === target ? [] : [`test ${target}`]);
    expect(real.machine.snapshot()["/boot/grub/grub.cfg"], `${label}: the boot menu is untouched`).toEqual(menu);
    M.adopt(model, next);
    real.staleLockAllowed = false;
    await real.check(model);
  }

  toString = (): string => M.describe(this.operation);
}

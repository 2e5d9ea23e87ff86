/** `switchyard apply switch N`: the profile, the running system, the boot default and every service move to N. */
import type fc from "fast-check";
import { expect } from "vitest";
import * as M from "./Model.js";
import { carriedOut, prepare } from "./Prepared.js";
import { count, squash, type Real } from "./Real.js";

export class SwitchCommand implements fc.AsyncCommand<M.Model, Real> {
  constructor(readonly pick: M.Pick) {}
  private get operation(): M.Operation {
    return { _tag: "Switch", pick: this.pick, mode: "switch" };
  }

  /** The target exists. */
  check = (model: Readonly<M.Model>): boolean => carriedOut(model as M.Model, this.operation);

  async run(model: M.Model, real: Real): Promise<void> {
    const { before, next, plan, label } = await prepare(model, real, this.operation, this.toString());
    const n = M.resolvePick(before, this.pick);
    expect(plan.to, label).toBe(n);
    const activations = real.machine.activations.length;
    squash(await real.apply(plan));
    count(plan.steps.length === 0 ? "switch: empty plan" : "switch");
    // Activated exactly when the running system moves.
    const target = M.systemOf(before, n);
    expect(real.machine.activations.slice(activations), label).toEqual(M.systemOf(before, before.running) === target ? [] : [`switch ${target}`]);
    M.adopt(model, next);
    real.staleLockAllowed = false;
    await real.check(model);
  }

  toString = (): string => M.describe(this.operation);
}

/** `switchyard apply delete PATTERN` (old, +K, N): never the current, running or booted generation; nothing activated, no service touched. */
import type fc from "fast-check";
import { expect } from "vitest";
import * as M from "./Model.js";
import { carriedOut, prepare } from "./Prepared.js";
import { count, squash, type Real } from "./Real.js";

export class DeleteCommand implements fc.AsyncCommand<M.Model, Real> {
  constructor(readonly pattern: M.DeletePattern) {}
  private get operation(): M.Operation {
    return { _tag: "Delete", pattern: this.pattern };
  }

  /** The pattern leaves something to delete. */
  check = (model: Readonly<M.Model>): boolean => carriedOut(model as M.Model, this.operation);

  async run(model: M.Model, real: Real): Promise<void> {
    const { before, next, plan, label } = await prepare(model, real, this.operation, this.toString());
    const kept = new Set(M.numbers(next));
    expect(plan.delete, label).toEqual(M.numbers(before).filter((n) => !kept.has(n)));
    const activations = real.machine.activations.length;
    squash(await real.apply(plan));
    count("delete");
    expect(real.machine.activations.slice(activations), `${label} activates nothing`).toEqual([]);
    M.adopt(model, next);
    real.staleLockAllowed = false;
    await real.check(model);
  }

  toString = (): string => M.describe(this.operation);
}

/** `switchyard apply rollback`: to the newest generation below the current one. */
import type fc from "fast-check";
import { expect } from "vitest";
import * as M from "./Model.js";
import { carriedOut, prepare } from "./Prepared.js";
import { count, squash, type Real } from "./Real.js";

export class RollbackCommand implements fc.AsyncCommand<M.Model, Real> {
  private readonly operation: M.Operation = { _tag: "Rollback" };

  /** Some generation is older than the current one. */
  check = (model: Readonly<M.Model>): boolean => carriedOut(model as M.Model, this.operation);

  async run(model: M.Model, real: Real): Promise<void> {
    const { before, next, plan, label } = await prepare(model, real, this.operation, this.toString());
    expect(plan.to, label).toBe(Math.max(...M.numbers(before).filter((n) => n < before.current)));
    expect(plan.from, label).toBe(before.current);
    squash(await real.apply(plan));
    count("rollback");
    M.adopt(model, next);
    real.staleLockAllowed = false;
    await real.check(model);
  }

  toString = (): string => "rollback";
}

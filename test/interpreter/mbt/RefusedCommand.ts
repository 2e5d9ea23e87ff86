/**
 * An operation the model refuses (switch to a generation that does not exist, rollback from the
 * oldest, a delete that would leave nothing to delete or only protected generations): the planner
 * refuses it too, and nothing on the machine changes.
 */
import type fc from "fast-check";
import { expect } from "vitest";
import * as M from "./Model.js";
import { carriedOut } from "./Prepared.js";
import { count, type Real } from "./Real.js";

export class RefusedCommand implements fc.AsyncCommand<M.Model, Real> {
  constructor(readonly operation: Exclude<M.Operation, { readonly _tag: "Add" }>) {}

  check = (model: Readonly<M.Model>): boolean => !carriedOut(model as M.Model, this.operation);

  async run(model: M.Model, real: Real): Promise<void> {
    const label = this.toString();
    real.trail.push(label);
    const tree = real.machine.snapshot();
    const planned = await real.planFor(M.stateOf(model), this.operation, null);
    count("refused");
    expect(planned._tag, `${label}: the model refuses it, so must the planner`).toBe("Left");
    expect(real.machine.snapshot(), `${label} changes nothing`).toEqual(tree);
    await real.check(model);
  }

  toString = (): string => `refused ${M.describe(this.operation)}`;
}

/**
 * What every command that carries out an operation starts with: the model's expectation (the
 * command's `check` made sure it is not a refusal), the system directory an add registers, and the
 * plan the CLI computes, which must exist since the model expects one.
 */
import * as M from "./Model.js";
import type { Real } from "./Real.js";
import type * as Plan from "../../../packages/model/src/plan/Plan.js";

export interface Prepared {
  readonly before: M.State;
  readonly next: M.State;
  readonly plan: Plan.Plan;
  readonly label: string;
}

/** Whether the model expects `op` to be carried out (rather than refused) from `model`. */
export const carriedOut = (model: M.Model, op: M.Operation): boolean =>
  // Which services run afterwards does not decide a refusal: any seed will do here.
  op._tag === "Add" || M.expect(M.stateOf(model), model.booted, op, null, () => 0)._tag === "Next";

export const prepare = async (model: M.Model, real: Real, op: M.Operation, label: string): Promise<Prepared> => {
  const before = M.stateOf(model);
  const added = op._tag === "Add" ? real.buildSystem() : null;
  if (added !== null) model.built.push(added);
  const expected = M.expect(before, model.booted, op, added, real.seedOf);
  if (expected._tag === "Refused") throw new Error(`${label}: run although the model refuses it`);
  real.trail.push(label);
  const planned = await real.planFor(before, op, added);
  if (planned._tag === "Left") throw new Error(`${label}: the model expects a plan, the planner refused: ${planned.left.message}`);
  return { before, next: expected.state, plan: planned.right, label };
};

/** `switchyard add SYSTEM_DIR`: a freshly built system directory becomes generation max+1; nothing is activated, no service touched. */
import type fc from "fast-check";
import { expect } from "vitest";
import * as M from "./Model.js";
import { prepare } from "./Prepared.js";
import { count, squash, type Real } from "./Real.js";

export class AddCommand implements fc.AsyncCommand<M.Model, Real> {
  check = (): boolean => true;

  async run(model: M.Model, real: Real): Promise<void> {
    const { plan, next, label } = await prepare(model, real, { _tag: "Add" }, this.toString());
    const added = next.generations[next.generations.length - 1] as M.Generation;
    expect(plan.to, `${label}: the new generation's number`).toBe(added.number);
    expect(plan.steps.filter((s) => s._tag === "CreateGenerationLink").map((s) => s._tag === "CreateGenerationLink" && s.target), label).toEqual([added.system]);
    const activations = real.machine.activations.length;
    squash(await real.apply(plan));
    count("add");
    expect(real.machine.activations.slice(activations), `${label} activates nothing`).toEqual([]);
    M.adopt(model, next);
    real.staleLockAllowed = false;
    await real.check(model);
  }

  toString = (): string => "add";
}

/** `switchyard apply rollback`: to the newest generation below the current one (refused on the oldest). */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import type { Model } from "./Model.js";

export class RollbackCommand implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, { _tag: "Rollback" }, { _tag: "None" });
  toString = (): string => "rollback";
}

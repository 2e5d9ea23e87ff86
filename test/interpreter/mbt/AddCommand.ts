/** `switchyard add SYSTEM_DIR`: a freshly built system directory becomes generation max+1; no switch. */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import type { Model } from "./Model.js";

export class AddCommand implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, { _tag: "Add" }, { _tag: "None" });
  toString = (): string => "add";
}

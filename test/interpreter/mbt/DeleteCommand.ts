/** `switchyard apply delete PATTERN` (old, +K, N): never the current, running or booted generation. */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import { describe, type DeletePattern, type Model } from "./Model.js";

export class DeleteCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pattern: DeletePattern) {}
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, { _tag: "Delete", pattern: this.pattern }, { _tag: "None" });
  toString = (): string => describe({ _tag: "Delete", pattern: this.pattern });
}

/**
 * An operation whose k-th mutating file-system primitive fails (ENOSPC, EIO…): the apply succeeds
 * (the fault hit nothing that matters) or fails cleanly; a journal it leaves is recovered.
 */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import { describe, type Model, type Operation } from "./Model.js";

export class FailCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly operation: Operation,
    readonly k: number,
  ) {}
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, this.operation, { _tag: "Fail", k: this.k });
  toString = (): string => `fail(${this.k}, ${describe(this.operation)})`;
}

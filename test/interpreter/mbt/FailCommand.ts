/**
 * An operation whose k-th mutating file-system primitive fails (ENOSPC, EIO…): the apply succeeds
 * (the fault hit nothing that matters) or fails cleanly; a journal it leaves is recovered. With
 * `activationFails`, a switch's activation fails too, so the fault can land in the revert.
 */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import { describe, type Model, type Operation } from "./Model.js";

export class FailCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly operation: Operation,
    readonly k: number,
    /** The target's activation script fails too (so the apply reverts, and the fault may hit the revert). */
    readonly activationFails = false,
  ) {}
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, this.operation, { _tag: "Fail", k: this.k, activationFails: this.activationFails });
  toString = (): string => `fail(${this.k}, ${describe(this.operation)}${this.activationFails ? ", activation fails" : ""})`;
}

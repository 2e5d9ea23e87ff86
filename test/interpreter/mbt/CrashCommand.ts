/**
 * An operation killed at its k-th mutating primitive (that one and every later one fail: a dead
 * process does nothing more), then power loss keeping an arbitrary prefix of what was not durable,
 * then `recover` (optionally crashed the same way, then run again). The model takes the old or the
 * new state, as recover reports.
 */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import { describe, type Model, type Operation } from "./Model.js";

export class CrashCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly operation: Operation,
    readonly k: number,
    readonly keep: number,
    /** Crash the recover that follows too (its k-th primitive on), then recover again. */
    readonly again: { readonly k: number; readonly keep: number } | null = null,
  ) {}
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, this.operation, { _tag: "Crash", k: this.k, keep: this.keep, again: this.again });
  toString = (): string =>
    `crash(${this.k}, keep ${this.keep}, ${describe(this.operation)}${this.again === null ? "" : `, then recover crashes at ${this.again.k} keeping ${this.again.keep}`})`;
}

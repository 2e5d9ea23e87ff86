/**
 * An operation killed at its k-th mutating primitive (that one and every later one fail: a dead
 * process does nothing more), then power loss keeping an arbitrary prefix of what was not durable,
 * then `recover` (optionally crashed the same way, then run again). Recover says what it did, and
 * the machine must be exactly there: finished is the operation's end, reverted the start; with
 * nothing to recover, one of the two.
 */
import type fc from "fast-check";
import { Exit } from "effect";
import { expect } from "vitest";
import * as M from "./Model.js";
import { carriedOut, prepare } from "./Prepared.js";
import { count, squash, type Real } from "./Real.js";
import type * as Recover from "../../../packages/interpreter/src/state/Recover.js";

export class CrashCommand implements fc.AsyncCommand<M.Model, Real> {
  constructor(
    readonly operation: M.Operation,
    readonly k: number,
    readonly keep: number,
    /** Crash the recover that follows too (its k-th primitive on), then recover again. */
    readonly again: { readonly k: number; readonly keep: number } | null = null,
  ) {}

  check = (model: Readonly<M.Model>): boolean => carriedOut(model as M.Model, this.operation);

  async run(model: M.Model, real: Real): Promise<void> {
    const { before, next, plan, label } = await prepare(model, real, this.operation, this.toString());
    const fs = real.machine.fs;
    real.arm({ _tag: "Crash", k: this.k });
    await real.apply(plan);
    fs.crash((pending) => this.keep % (pending + 1));
    fs.clearFaults();
    let first: Recover.RecoverReport | null = null;
    if (this.again !== null) {
      const again = this.again;
      real.arm({ _tag: "Crash", k: again.k });
      const exit = await real.recover();
      fs.crash((pending) => again.keep % (pending + 1));
      fs.clearFaults();
      // A recover that completed before the second crash made its outcome durable (the journal's removal is fsynced).
      if (Exit.isSuccess(exit) && exit.value.action !== "nothing") first = exit.value;
      real.trail.push(`recover [crash ${again.k} keep ${again.keep}]: ${Exit.isSuccess(exit) ? exit.value.action : "crashed"}`);
    }
    const last = squash(await real.recover());
    if (first !== null) expect(last.action, `${label}: recover after a completed recover`).toBe("nothing");
    const report = first ?? last;
    real.trail.push(`recover: ${report.action}`);
    count(`crash: recover ${report.action}${report.cleaned.length > 0 ? " (cleaned)" : ""}`);
    real.staleLockAllowed = false;
    if (report.action !== "nothing") {
      // The report names the interrupted operation, where it started and where it was going.
      expect({ operation: report.operation, from: report.from, to: report.to }, `${label}: recover ${report.action}`).toEqual({
        operation: plan.operation,
        from: plan.from,
        to: plan.to,
      });
    }
    const end = report.action === "finished" ? next : report.action === "reverted" ? before : (await real.isIn(next)) ? next : before;
    M.adopt(model, end);
    await real.check(model);
  }

  toString = (): string =>
    `crash(${this.k}, keep ${this.keep}, ${M.describe(this.operation)}${this.again === null ? "" : `, then recover crashes at ${this.again.k} keeping ${this.again.keep}`})`;
}

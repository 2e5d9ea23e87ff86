/**
 * An operation whose k-th mutating file-system primitive fails (ENOSPC, EIO…), once; with
 * `activationFails` a switch's activation fails too, so the apply must revert and the fault can
 * land in the revert. Judged by what the machine shows, not by what the failure says: the apply
 * succeeds (the fault hit nothing that matters), or it fails and the machine is exactly where it
 * was or exactly where the operation leads — at once, or after the `recover` a user is sent to
 * run whenever a journal or its leftovers remain. A failed activation is never made permanent.
 */
import type fc from "fast-check";
import { expect } from "vitest";
import * as M from "./Model.js";
import { carriedOut, prepare } from "./Prepared.js";
import { count, failureOf, squash, type Real } from "./Real.js";

export class FailCommand implements fc.AsyncCommand<M.Model, Real> {
  constructor(
    readonly operation: M.Operation,
    readonly k: number,
    /** The target's activation script fails too (so the apply reverts, and the fault may hit the revert). */
    readonly activationFails = false,
  ) {}

  check = (model: Readonly<M.Model>): boolean => carriedOut(model as M.Model, this.operation);

  async run(model: M.Model, real: Real): Promise<void> {
    const { before, next, plan, label } = await prepare(model, real, this.operation, this.toString());
    const failing = this.activationFails
      ? plan.steps.flatMap((s) => (s._tag === "RunActivation" ? [s.system as string] : []))[0] ?? null
      : null;
    if (failing !== null) real.machine.failingActivations.add(failing);
    real.arm({ _tag: "Fail", k: this.k });
    const exit = await real.apply(plan);
    if (failing !== null) real.machine.failingActivations.delete(failing);
    real.machine.fs.clearFaults();
    const failure = failureOf(exit) as { readonly _tag: string; readonly message?: string } | null;
    const says = `${label}: ${failure === null ? "succeeded" : `${failure._tag}: ${failure.message ?? ""}`}`;
    // Even a successful apply may have failed to remove its lock (the fault hit the release).
    real.staleLockAllowed = true;
    let end: M.State | null;
    if (failure === null) {
      count("fail: succeeded anyway");
      expect(failing, `${says}, although its activation failed`).toBeNull();
      end = next;
    } else if (failure._tag !== "ApplyFailed") {
      // Refused before the journal (the lock could not be taken, …): nothing changed.
      count(`fail: ${failure._tag}`);
      expect(real.journalPresent(), `${says}: no journal`).toBe(false);
      end = (await real.isIn(before)) ? before : null;
    } else if (real.journalPresent() || real.journalLeftovers().length > 0) {
      const report = squash(await real.recover());
      real.staleLockAllowed = false;
      count(`fail: then recover ${report.action}`);
      end = report.action === "finished" ? next : report.action === "reverted" ? before : (await real.isIn(before)) ? before : next;
      expect(await real.isIn(end), `${says}; recover says ${report.action}: the machine must be there`).toBe(true);
    } else {
      count("fail: nothing left to recover");
      end = (await real.isIn(before)) ? before : (await real.isIn(next)) ? next : null;
    }
    expect(end, `${says}: the machine is neither where it was nor where the operation leads`).not.toBeNull();
    if (failing !== null) expect(end, `${says}: a failed activation must not be made permanent`).toBe(before);
    M.adopt(model, end as M.State);
    await real.check(model);
  }

  toString = (): string => `fail(${this.k}, ${M.describe(this.operation)}${this.activationFails ? ", activation fails" : ""})`;
}

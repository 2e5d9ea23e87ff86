/**
 * What an apply (or recover, or `migrations continue`) does after its steps: continue the graph
 * under way with its jobs and progress reporting, and when a failed migration asks for the switch
 * to be reverted, carry out the plan back (`SwitchBack`) through `carry`, the caller's way of
 * running a plan's steps under the lock it holds.
 */
import type { Plan } from "@switchyard/model";
import { Effect } from "effect";
import type { StopSignal } from "../Errors.js";
import type * as Root from "../root/Root.js";
import * as Runner from "./Runner.js";
import * as SwitchBack from "./SwitchBack.js";

export interface Options {
  readonly root: Root.Root;
  readonly jobs?: number;
  readonly onMigration?: (event: Runner.Event) => void;
  readonly interrupted?: Effect.Effect<StopSignal | null>;
}

/** How the graph ended, and when a failed migration asked for it, how the switch back went. */
export interface MigrationsReport extends Runner.Report {
  readonly switchedBack: { readonly _tag: "SwitchedBack"; readonly to: number | null; readonly stepsRun: number } | { readonly _tag: "NotSwitchedBack"; readonly reason: string } | null;
}

export const run = <E, R>(options: Options, carry: (plan: Plan.Plan) => Effect.Effect<{ readonly stepsRun: number }, E, R>) =>
  Effect.gen(function* () {
    const report = yield* Runner.continueGraph({
      root: options.root,
      jobs: options.jobs ?? 1,
      ...(options.onMigration === undefined ? {} : { onEvent: options.onMigration }),
      ...(options.interrupted === undefined ? {} : { stop: options.interrupted }),
    });
    if (report === null) return null;
    if (!SwitchBack.wanted(report)) return { ...report, switchedBack: null } satisfies MigrationsReport;
    const back = yield* SwitchBack.plan(options.root, report.record);
    if (typeof back === "string") return { ...report, switchedBack: { _tag: "NotSwitchedBack", reason: back } } satisfies MigrationsReport;
    const applied = yield* carry(back);
    return { ...report, switchedBack: { _tag: "SwitchedBack", to: back.to, stepsRun: applied.stepsRun } } satisfies MigrationsReport;
  });

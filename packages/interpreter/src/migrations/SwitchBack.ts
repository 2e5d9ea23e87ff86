/**
 * A failed migration whose `onFailure` is "revert" (the default) takes the switch back: the graph
 * is abandoned (its finished migrations stay done) and the machine is switched back to the
 * generation the graph came from, in the graph's mode (a trial goes back as mode boot), by an
 * ordinary plan carried out under the same lock. The caller runs that plan, so this module only
 * decides and computes it.
 */
import { type MigrationRecord, type Plan, Transition } from "@switchyard/model";
import { Effect } from "effect";
import * as Observe from "../observe/Observe.js";
import { Clock } from "../ports/Clock.js";
import type * as Root from "../root/Root.js";
import * as GraphFile from "./GraphFile.js";
import type * as Runner from "./Runner.js";

export const wanted = (report: Runner.Report): boolean => report.outcome._tag === "Failed" && report.outcome.revert && report.record.from !== null;

/**
 * The plan back to the graph's `from`, computed now, or why none can be made. With a plan, the
 * graph's record is removed first, so that the plan is not refused as leaving the graph.
 */
export const plan = (root: Root.Root, record: MigrationRecord.GraphRecord) =>
  Effect.gen(function* () {
    // The settings of the apply that began the graph, whichever command continues it.
    const world = yield* Observe.world(root, record.settings);
    const nowMs = yield* (yield* Clock).nowMs;
    const back = Transition.between(world, {
      operation: { _tag: "Switch", spec: String(record.from) },
      mode: record.mode === "try" ? "boot" : record.mode,
      nowMs,
    });
    if (back._tag === "Left") return `no plan back to generation ${record.from ?? "(none)"} can be made: ${back.left.message}`;
    yield* GraphFile.remove(root);
    return back.right satisfies Plan.Plan;
  });

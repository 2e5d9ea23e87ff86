/**
 * Once a migration graph has started, the machine moves only along it: an apply that would switch,
 * roll back or delete is refused (exit 7) naming the graph and how to go on; an apply with nothing
 * left to do for the graph's own target continues the graph instead. Adding a generation,
 * restarting services and blessing a trial (which the graph's boot may need) stay allowed.
 */
import { MigrationRecord, MigrationSchedule, Plan } from "@switchyard/model";
import { Effect } from "effect";
import type * as Root from "../root/Root.js";
import * as GraphFile from "./GraphFile.js";
import { MigrationsPending } from "./MigrationErrors.js";

export type Verdict = "none" | "continue" | "unrelated";

/** "Generation 1 -> 2: 2 of 4 done, failed: c". */
export const summary = (record: MigrationRecord.GraphRecord): string => {
  const progress = MigrationRecord.progressOf(record);
  const ids = (s: MigrationSchedule.Status) => record.migrations.filter((m) => (progress[m.id] ?? "pending") === s).map((m) => m.id);
  const parts = [`${ids("done").length} of ${record.migrations.length} done`];
  if (ids("running").length > 0) parts.push(`running or interrupted: ${ids("running").join(", ")}`);
  if (ids("failed").length > 0) parts.push(`failed: ${ids("failed").join(", ")}`);
  if (record.paused !== null) parts.push(`paused by ${record.paused.by}'s new items: ${record.paused.items.join(", ")}`);
  return `generation ${record.from ?? "(none)"} -> ${record.to ?? "(none)"}: ${parts.join("; ")}`;
};

export const refusal = (root: Root.Root, record: MigrationRecord.GraphRecord): MigrationsPending =>
  new MigrationsPending({
    message:
      `a migration graph is under way (${summary(record)}; ${GraphFile.graphPath(root)}) and the machine moves only along it: ` +
      `continue it with 'switchyard migrations continue' (or 'switchyard recover'), or abandon it with 'switchyard migrations abandon'; 'switchyard migrations' shows it`,
  });

const moves = (plan: Plan.Plan): boolean => !Plan.isEmpty(plan) && (plan.operation._tag === "Switch" || plan.operation._tag === "Rollback" || plan.operation._tag === "Delete");

export const check = (root: Root.Root, plan: Plan.Plan) =>
  Effect.gen(function* () {
    const loaded = yield* GraphFile.read(root);
    if (loaded === null) return "none" satisfies Verdict;
    if (moves(plan)) return yield* refusal(root, loaded.record);
    return (plan.to === loaded.record.to && (plan.operation._tag === "Switch" || plan.operation._tag === "Rollback") ? "continue" : "unrelated") satisfies Verdict;
  });

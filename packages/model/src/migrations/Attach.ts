/**
 * Puts the chosen migrations into a switch's plan: the plan records them (`plan.migrations`) and
 * ends with a `BeginMigrations` step after its Commit, so the graph is recorded only once the
 * transition is permanent and runs after the apply's own steps. A graph that cannot be scheduled
 * (a cycle, an unknown requirement) is a plan error naming it, before anything is done.
 */
import * as E from "fp-ts/lib/Either.js";
import type { Migration } from "../checks/Item.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";
import * as Graph from "./Graph.js";

export const attach = (world: World.World, plan: Plan.Plan, migrations: ReadonlyArray<Migration>): E.Either<PlanError.PlanError, Plan.Plan> => {
  if (migrations.length === 0) return E.right(plan);
  if (plan.operation._tag !== "Switch" && plan.operation._tag !== "Rollback") {
    return E.left(PlanError.invalid(`migrations run only with a switch or a rollback, not with ${plan.operation._tag.toLowerCase()}`));
  }
  const graph = Graph.of(migrations);
  if (E.isLeft(graph)) return E.left(PlanError.invalid(graph.left.message));
  const systemOf = (n: number | null) => (n === null ? null : (World.generation(world, n)?.system ?? null));
  const begin: Step.Step = {
    _tag: "BeginMigrations",
    from: plan.from,
    to: plan.to,
    mode: plan.mode,
    fromSystem: systemOf(plan.from),
    toSystem: systemOf(plan.to),
    // Listed in the order they can run, so the plan reads as the schedule does.
    migrations: graph.right.order,
    settings: plan.settings,
  };
  const committed = plan.steps.some((s) => s._tag === "Commit") ? plan.steps : [...plan.steps, { _tag: "Commit" } as const];
  return E.right({ ...plan, steps: [...committed, begin], migrations: graph.right.order });
};

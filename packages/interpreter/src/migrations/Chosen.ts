/**
 * The migrations a plan carries: its checks are run, the recorded choices settle their items, and
 * the migrations of the chosen resolutions are put into the plan as a graph (`MigrationPlan.attach`).
 * Both the planner and the freshness check of a saved plan go through here, so a saved plan cannot
 * bring migrations of its own: they always come from the recorded choices.
 */
import { MigrationPlan, type Plan, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as RunChecks from "../checks/RunChecks.js";
import type * as Root from "../root/Root.js";

/** The plan with its items, choices and chosen migrations, or why those migrations cannot run (a cycle, an unknown requirement). */
export const attach = (root: Root.Root, world: World.World, plan: Plan.Plan) =>
  Effect.map(RunChecks.assess(root, world, plan), (assessed) => MigrationPlan.attach(world, assessed, assessed.migrations));

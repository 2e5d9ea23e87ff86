/**
 * `switchyard restart SERVICE… | --debt [--yes]`: restart services onto the current generation's
 * code (the model's `Restart` plan), clearing their restart debt. Like `apply`: the plan is computed
 * under the lock, shown, confirmed, carried out with progress, and reverted if a restart fails.
 */
import { Transition } from "@switchyard/model";
import { Apply, Clock, Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as AfterFailure from "./AfterFailure.js";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Options from "../args/Options.js";
import * as Progress from "../render/Progress.js";
import * as Review from "./Review.js";
import * as RecordedSteps from "./RecordedSteps.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const services = ctx.args.positional.slice(1);
    const debt = Args.flag(ctx.args, "debt");
    const progress = Progress.make();
    const options: Apply.ApplyOptions = {
      root: ctx.root,
      settings: ctx.settings,
      command: ctx.args.positional.join(" ") + (debt ? " --debt" : ""),
      waitLockSeconds: Options.waitLockSeconds(ctx.args),
      onEvent: progress.onEvent,
      onPlan: progress.onPlan,
    };
    const compute = Effect.gen(function* () {
      const world = yield* Observe.world(ctx.root, ctx.settings);
      const nowMs = yield* (yield* Clock).nowMs;
      const plan = Transition.between(world, { operation: { _tag: "Restart", services, debt }, mode: "test", nowMs });
      if (plan._tag === "Left") return yield* plan.left.reason === "Invalid" ? Failure.invalid(plan.left.message) : Failure.failed(plan.left.message);
      return plan.right;
    });
    const outcome = yield* Apply.planAndApply(options, compute, Review.confirm(ctx, "restart")).pipe(
      Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, progress.reverted)),
    );
    if (outcome === null) return;
    const recorded = RecordedSteps.line(outcome.report);
    if (recorded !== null) process.stdout.write(`${recorded}\n`);
    for (const warning of outcome.report.warnings ?? []) process.stderr.write(`switchyard: warning: ${warning}\n`);
    const done = [...outcome.plan.services.restart, ...outcome.plan.services.stop];
    process.stdout.write(`restarted onto generation ${outcome.plan.to}'s code: ${done.join(", ")} in ${progress.elapsed()}\n`);
  });

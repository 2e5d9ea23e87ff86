/**
 * `switchyard apply OPERATION [--yes]` computes the plan, shows it, asks (on a terminal) and carries
 * it out; `switchyard apply --plan FILE` carries out a saved plan (read and checked against the
 * flags before the command starts, see `PlanSettings`) after checking, under the lock, that the
 * machine still looks the way it did and that a fresh plan would do exactly the same.
 */
import { Plan } from "@switchyard/model";
import { Apply } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as AfterFailure from "./AfterFailure.js";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Options from "../args/Options.js";
import * as Progress from "../render/Progress.js";
import * as Prompt from "../render/Prompt.js";
import * as Style from "../render/Style.js";
import * as Summary from "../render/Summary.js";
import * as Terminal from "../render/Terminal.js";
import * as PlanCommand from "./plan.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const file = Args.option(ctx.args, "plan");
    const progress = Progress.make();
    const options = applyOptions(ctx, file, progress);
    const review = (plan: Plan.Plan) =>
      Effect.gen(function* () {
        process.stdout.write(`${Summary.plan(plan, Style.of(Terminal.stdout()), { steps: false, stepsHint: false })}\n`);
        if (Plan.isEmpty(plan)) return false;
        if (!Args.flag(ctx.args, "yes")) {
          if (!Prompt.interactive()) return yield* Failure.usage("apply", "not on a terminal, nobody can confirm; use --yes to apply without asking");
          const answer = yield* Prompt.ask("Apply this plan? [y/N] ");
          if (answer === "cancelled") return yield* new Failure.Cancelled({ message: "cancelled; nothing was applied" });
          if (answer === "no") return yield* Failure.failed("not applied");
        }
        return true;
      });
    // A saved plan is checked against the machine under the lock; an operation is planned under it.
    const saved = ctx.saved;
    const outcome = yield* (
      saved === null
        ? Apply.planAndApply(options, PlanCommand.compute(ctx, "apply"), review)
        : Effect.flatMap(review(saved), (go) => (go ? Effect.map(Apply.applyPlan(saved, options), (report) => ({ plan: saved, report })) : Effect.succeed(null)))
    ).pipe(
      // A failed apply reports the revert steps that ran and where every link and service stands now.
      Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, progress.reverted)),
    );
    if (outcome === null) return;
    if (outcome.report.servicesRecorded > 0) {
      process.stdout.write(`${outcome.report.servicesRecorded} service step(s) recorded, not executed: there is no service manager (--service-manager none)\n`);
    }
    process.stdout.write(`${done(outcome.plan)} in ${progress.elapsed()}\n`);
  });

const applyOptions = (ctx: CommandContext, file: string | undefined, progress: Progress.Reporter): Apply.ApplyOptions => ({
  root: ctx.root,
  settings: ctx.settings,
  command: file === undefined ? ctx.args.positional.join(" ") : `apply --plan ${file}`,
  activationTimeoutMs: ctx.settings.activationTimeoutMs,
  waitLockSeconds: Options.waitLockSeconds(ctx.args),
  onEvent: progress.onEvent,
  onPlan: progress.onPlan,
});

const done = (plan: Plan.Plan): string => {
  switch (plan.operation._tag) {
    case "Delete":
      return `deleted generation${plan.delete.length === 1 ? "" : "s"} ${Summary.ranges(plan.delete)}`;
    case "Add":
      return `added generation ${plan.to}`;
    case "Restart":
      return `restarted onto generation ${plan.to}'s code: ${[...plan.services.restart, ...plan.services.stop].join(", ")}`;
    case "Bless":
      return plan.operation.verdict === "good" ? `generation ${plan.to} is the boot default` : `gave up the trial; generation ${plan.to} boots next`;
    default:
      return plan.mode === "try"
        ? `generation ${plan.to} boots next on trial; generation ${plan.from} stays the default until 'switchyard bless' runs on generation ${plan.to}`
        : plan.mode === "boot"
          ? `generation ${plan.to} will be used from the next boot`
          : plan.mode === "test"
            ? `generation ${plan.to} is running; the boot default is unchanged`
            : `switched from generation ${plan.from ?? "(none)"} to ${plan.to}`;
  }
};

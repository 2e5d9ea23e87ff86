/**
 * `switchyard apply OPERATION [--yes]` computes the plan, shows it, asks (on a terminal) and carries
 * it out; `switchyard apply --plan FILE` carries out a saved plan (read and checked against the
 * flags before the command starts, see `PlanSettings`) after checking, under the lock, that the
 * machine still looks the way it did and that a fresh plan would do exactly the same.
 */
import { Plan, Step } from "@switchyard/model";
import { Apply } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as AfterFailure from "./AfterFailure.js";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Options from "../args/Options.js";
import * as Escape from "../render/Escape.js";
import * as Prompt from "../render/Prompt.js";
import * as Render from "../render/Render.js";
import * as PlanCommand from "./plan.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const file = Args.option(ctx.args, "plan");
    const reverted: Array<string> = [];
    const options = applyOptions(ctx, file, reverted);
    const review = (plan: Plan.Plan) =>
      Effect.gen(function* () {
        process.stdout.write(`${Render.plan(plan)}\n`);
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
      Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, reverted)),
    );
    if (outcome === null) return;
    if (outcome.report.servicesRecorded > 0) {
      process.stdout.write(`${outcome.report.servicesRecorded} service step(s) recorded, not executed: there is no service manager (--service-manager none)\n`);
    }
    process.stdout.write(`${done(outcome.plan)}\n`);
  });

const applyOptions = (ctx: CommandContext, file: string | undefined, reverted: Array<string>): Apply.ApplyOptions => {
  let total = 0;
  let reverting = 0;
  return {
    root: ctx.root,
    settings: ctx.settings,
    command: file === undefined ? ctx.args.positional.join(" ") : `apply --plan ${file}`,
    activationTimeoutMs: ctx.settings.activationTimeoutMs,
    waitLockSeconds: Options.waitLockSeconds(ctx.args),
    onEvent: (event) => {
      if (event._tag === "Output") process.stderr.write(`  | ${Escape.line(event.line)}\n`);
      else if (event._tag === "StepStarted") process.stderr.write(`[${event.index + 1}${total > 0 ? `/${total}` : ""}] ${Escape.line(Step.describe(event.step))}\n`);
      else {
        reverted.push(Step.describe(event.step));
        process.stderr.write(`[revert ${event.index + 1}${reverting > 0 ? `/${reverting}` : ""}] ${Escape.line(Step.describe(event.step))}\n`);
      }
    },
    onPlan: (plan: Plan.Plan) => {
      total = plan.steps.length;
      reverting = plan.revert.length;
    },
  };
};

const done = (plan: Plan.Plan): string => {
  switch (plan.operation._tag) {
    case "Delete":
      return `deleted generation${plan.delete.length === 1 ? "" : "s"} ${plan.delete.join(", ")}`;
    case "Add":
      return `added generation ${plan.to}`;
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

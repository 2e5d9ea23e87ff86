/**
 * `switchyard apply OPERATION [--yes]` computes the plan, shows it, asks (on a terminal) and carries
 * it out; `switchyard apply --plan FILE` carries out a saved plan (read and checked against the
 * flags before the command starts, see `PlanSettings`) after checking, under the lock, that the
 * machine still looks the way it did and that a fresh plan would do exactly the same. A signal
 * stops it at the next step boundary (`Signals`): reverted before the commit point, finished after.
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
import * as Signals from "./Signals.js";

export const run = (ctx: CommandContext) =>
  Signals.handled((signals) =>
    Effect.gen(function* () {
      const file = Args.option(ctx.args, "plan");
      const reverted: Array<string> = [];
      const options = applyOptions(ctx, file, reverted, signals);
      const asks = !Args.flag(ctx.args, "yes");
      const review = (plan: Plan.Plan) =>
        Effect.gen(function* () {
          process.stdout.write(`${Render.plan(plan)}\n`);
          if (Plan.isEmpty(plan)) return false;
          if (asks) {
            if (!Prompt.interactive()) return yield* Failure.usage("apply", "not on a terminal, nobody can confirm; use --yes to apply without asking");
            const answer = yield* Effect.raceFirst(Prompt.ask("Apply this plan? [y/N] "), signals.next);
            if (answer === "cancelled") return yield* new Failure.Cancelled({ message: "cancelled; nothing was applied" });
            if (answer === "no") return yield* Failure.failed("not applied");
            if (answer !== "yes") return yield* new Failure.Signalled({ signal: answer, message: `${answer} received at the prompt; nothing was applied` });
          }
          return true;
        });
      const outcome = yield* carryOut(ctx, options, review, asks).pipe(
        // A failed apply reports the revert steps that ran and where every link and service stands now.
        Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, reverted)),
      );
      if (outcome === null) return;
      if (outcome.report.servicesRecorded > 0) {
        process.stdout.write(`${outcome.report.servicesRecorded} service step(s) recorded, not executed: there is no service manager (--service-manager none)\n`);
      }
      process.stdout.write(`${done(outcome.plan)}\n`);
      const late = outcome.report.interrupted;
      if (late !== null) return yield* new Failure.Signalled({ signal: late, message: `${late} received after the commit point: the transition was finished, not stopped half-way` });
    }),
  );

/**
 * A saved plan is checked against the machine under the lock. An operation answered with --yes is
 * planned under the lock. One that waits for an answer is planned before the lock, so that nobody
 * else is locked out while the prompt waits; once answered, the lock is taken and a fresh plan
 * must be the same, or nothing is applied (exit 3).
 */
const carryOut = <E, R>(ctx: CommandContext, options: Apply.ApplyOptions, review: (plan: Plan.Plan) => Effect.Effect<boolean, E, R>, asks: boolean) => {
  const reviewed = (plan: Plan.Plan, again?: string) =>
    Effect.flatMap(review(plan), (go) =>
      go ? Effect.map(Apply.applyPlan(plan, again === undefined ? options : { ...options, again }), (report) => ({ plan, report })) : Effect.succeed(null),
    );
  if (ctx.saved !== null) return reviewed(ctx.saved);
  if (!asks) return Apply.planAndApply(options, PlanCommand.compute(ctx, "apply"), review);
  return Effect.flatMap(PlanCommand.compute(ctx, "apply"), (plan) => reviewed(plan, "the machine changed while the plan waited for an answer; nothing was applied: run the command again"));
};

const applyOptions = (ctx: CommandContext, file: string | undefined, reverted: Array<string>, signals: Signals.Signals): Apply.ApplyOptions => {
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
    interrupted: signals.received,
  };
};

const done = (plan: Plan.Plan): string => {
  switch (plan.operation._tag) {
    case "Delete":
      return `deleted generation${plan.delete.length === 1 ? "" : "s"} ${plan.delete.join(", ")}`;
    case "Add":
      return `added generation ${plan.to}`;
    default:
      return plan.mode === "boot"
        ? `generation ${plan.to} will be used from the next boot`
        : plan.mode === "test"
          ? `generation ${plan.to} is running; the boot default is unchanged`
          : `switched from generation ${plan.from ?? "(none)"} to ${plan.to}`;
  }
};

/**
 * `switchyard apply OPERATION [--yes]` computes the plan, shows it, asks (on a terminal) and carries
 * it out; `switchyard apply --plan FILE` carries out a saved plan after checking that the machine
 * still looks the way it did when the plan was computed.
 */
import * as fs from "node:fs";
import * as readline from "node:readline/promises";
import { Plan, Step } from "@switchyard/model";
import { Apply } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as AfterFailure from "./AfterFailure.js";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Options from "../args/Options.js";
import * as Render from "../render/Render.js";
import * as SavedPlan from "../SavedPlan.js";
import * as PlanCommand from "./plan.js";

const load = (file: string) =>
  Effect.gen(function* () {
    const text = yield* Effect.try({
      try: () => fs.readFileSync(file, "utf8"),
      catch: (e) => Failure.invalid(`cannot read plan ${file}: ${(e as Error).message}`),
    });
    const saved = SavedPlan.fromText(text);
    if (saved._tag === "Left") return yield* Failure.invalid(`${file}: ${saved.message}`);
    return saved.plan;
  });

const confirm = (question: string) =>
  Effect.promise(async () => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(question);
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
  });

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const file = Args.option(ctx.args, "plan");
    if (file !== undefined && ctx.args.positional.length > 1) return yield* Failure.invalid("give either OPERATION or --plan FILE, not both");
    const reverted: Array<string> = [];
    const options = applyOptions(ctx, file, reverted);
    const review = (plan: Plan.Plan) =>
      Effect.gen(function* () {
        process.stdout.write(`${Render.plan(plan)}\n`);
        if (Plan.isEmpty(plan)) return false;
        if (!Args.flag(ctx.args, "yes") && process.stdin.isTTY === true && process.stderr.isTTY === true) {
          if (!(yield* confirm("Apply this plan? [y/N] "))) return yield* Failure.failed("not applied");
        }
        return true;
      });
    // A saved plan is checked against the machine under the lock; an operation is planned under it.
    const outcome = yield* (
      file === undefined
        ? Apply.planAndApply(options, PlanCommand.compute(ctx, "apply"), review)
        : Effect.flatMap(load(file), (plan) =>
            Effect.flatMap(review(plan), (go) => (go ? Effect.map(Apply.applyPlan(plan, options), (report) => ({ plan, report })) : Effect.succeed(null))),
          )
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
    activationTimeoutMs: Options.activationTimeoutMs(ctx.args),
    waitLockSeconds: Options.waitLockSeconds(ctx.args),
    onEvent: (event) => {
      if (event._tag === "Output") process.stderr.write(`  | ${event.line}\n`);
      else if (event._tag === "StepStarted") process.stderr.write(`[${event.index + 1}${total > 0 ? `/${total}` : ""}] ${Step.describe(event.step)}\n`);
      else {
        reverted.push(Step.describe(event.step));
        process.stderr.write(`[revert ${event.index + 1}${reverting > 0 ? `/${reverting}` : ""}] ${Step.describe(event.step)}\n`);
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
      return `generation ${plan.to} is the boot default`;
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

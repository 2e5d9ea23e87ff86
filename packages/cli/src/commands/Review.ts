/**
 * Show a plan and ask before carrying it out: on a terminal the question goes to standard error;
 * elsewhere there is nobody to answer and `--yes` is needed. A plan with nothing to do asks nothing.
 */
import { Plan } from "@switchyard/model";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Prompt from "../render/Prompt.js";
import * as Style from "../render/Style.js";
import * as Summary from "../render/Summary.js";
import * as Terminal from "../render/Terminal.js";

export const confirm = (ctx: CommandContext, command: string) => (plan: Plan.Plan) =>
  Effect.gen(function* () {
    process.stdout.write(`${Summary.plan(plan, Style.of(Terminal.stdout()), { steps: false, stepsHint: false })}\n`);
    if (Plan.isEmpty(plan)) return false;
    if (Args.flag(ctx.args, "yes")) return true;
    if (!Prompt.interactive()) return yield* Failure.usage(command, "not on a terminal, nobody can confirm; use --yes to go ahead without asking");
    const answer = yield* Prompt.ask("Apply this plan? [y/N] ");
    if (answer === "cancelled") return yield* new Failure.Cancelled({ message: "cancelled; nothing was done" });
    if (answer === "no") return yield* Failure.failed("not done");
    return true;
  });

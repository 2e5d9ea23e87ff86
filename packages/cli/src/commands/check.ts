/**
 * `switchyard check [switch SPEC | rollback] [--json]`: run the checks of a switch (by default to
 * the newest generation) without planning anything else, print their items and record them as
 * pending, so that `switchyard choose` can settle them now or after a reboot. Exits 6 while an
 * error item has no chosen resolution, as `apply` would, and 10 (with the data-epoch items) when
 * the target cannot read a service's data.
 */
import { Assessment } from "@switchyard/model";
import { ChoiceFile, Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import { ExitCode } from "../ExitCode.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";
import * as PlanCommand from "./plan.js";
import * as StateItems from "./StateItems.js";

/** The words of the operation: as given, or a switch to the newest generation. */
const operationWords = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const given = ctx.args.positional.slice(1);
    if (given.length > 0) return given;
    const newest = (yield* Observe.generations(ctx.root, ctx.settings)).generations.at(-1);
    return newest === undefined ? yield* Failure.invalid("there are no generations to check; add one with 'switchyard add SYSTEM_DIR'") : ["switch", String(newest.number)];
  });

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const words = yield* operationWords(ctx);
    const command = { ...ctx, args: { ...ctx.args, positional: ["check", ...words] } };
    const plan = yield* PlanCommand.compute(command, "check").pipe(StateItems.shownWhenRefused(command, Args.flag(ctx.args, "json")));
    if (plan.choiceKey !== null) yield* ChoiceFile.recordPending(ctx.root, plan.choiceKey, plan.items);
    if (Args.flag(ctx.args, "json")) Json.print({ from: plan.from, to: plan.to, mode: plan.mode, ...Items.json(plan.choiceKey, plan.items, plan.choices) });
    else {
      const head = `checks of the switch from generation ${plan.from ?? "(none)"} to ${plan.to ?? "(none)"} (mode ${plan.mode})`;
      const body = Items.text(plan.items, plan.choices);
      process.stdout.write(body === "" ? `${head}: nothing to report\n` : `${head}:\n${body}\n`);
    }
    const open = Assessment.unresolved(plan);
    if (open.length > 0) {
      return yield* new Failure.CommandFailed({ message: `${open.length} error item${open.length === 1 ? "" : "s"} without a chosen resolution: ${open.map((i) => i.id).join(", ")}; apply refuses until one is chosen`, exit: ExitCode.Unresolved });
    }
  });

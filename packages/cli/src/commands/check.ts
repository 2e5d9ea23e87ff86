/**
 * `switchyard check [switch SPEC | rollback] [--json]`: run the checks of a switch (by default to
 * the newest generation) without planning anything else, print their items and record them as
 * pending, so that `switchyard choose` can settle them now or after a reboot. Exits 6 while an
 * error item has no chosen resolution, as `apply` would, and 10 (with the data-epoch items) when
 * the target cannot read a service's data.
 */
import { Assessment, DataEpochCheck, Transition, World } from "@switchyard/model";
import { ChoiceFile, Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import { ExitCode } from "../ExitCode.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";
import * as Operation from "../args/Operation.js";
import * as PlanCommand from "./plan.js";

/** The words of the operation: as given, or a switch to the newest generation. */
const operationWords = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const given = ctx.args.positional.slice(1);
    if (given.length > 0) return given;
    const newest = (yield* Observe.generations(ctx.root, ctx.settings)).generations.at(-1);
    return newest === undefined ? yield* Failure.invalid("there are no generations to check; add one with 'switchyard add SYSTEM_DIR'") : ["switch", String(newest.number)];
  });

/**
 * A switch refused because the target cannot read a service's data (exit 10) has no plan to run
 * checks for; its data-epoch items are printed all the same, with the ways out, before the refusal.
 */
const unreadable = (ctx: CommandContext, command: CommandContext, refusal: Failure.CommandFailed) =>
  Effect.gen(function* () {
    const read = Operation.parse(command.args);
    const world = yield* Observe.world(ctx.root, ctx.settings);
    const n = read._tag === "Invalid" ? null : Transition.targetOf(world, read.operation);
    const target = n === null ? undefined : World.generation(world, n);
    const items = target === undefined ? [] : DataEpochCheck.items(world, target);
    if (Args.flag(ctx.args, "json")) Json.print({ from: world.current, to: n, mode: Operation.mode(ctx.args), refused: refusal.message, ...Items.json(null, items, []) });
    else if (items.length > 0) process.stdout.write(`${Items.text(items, [], Items.STATE)}\n`);
    return yield* refusal;
  });

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const words = yield* operationWords(ctx);
    const command = { ...ctx, args: { ...ctx.args, positional: ["check", ...words] } };
    const plan = yield* PlanCommand.compute(command, "check").pipe(
      Effect.catchIf(
        (e): e is Failure.CommandFailed => e._tag === "CommandFailed" && e.exit === ExitCode.StateUnreadable,
        (e) => unreadable(ctx, command, e),
      ),
    );
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

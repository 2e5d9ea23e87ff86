/** `switchyard plan OPERATION [--mode M] [--json] [--out FILE]`: the whole transition, without doing it. */
import * as path from "node:path";
import { Hooks as HookNames, PlanFile, Request, Transition } from "@switchyard/model";
import { Clock, Durable, Hooks, MigrationChoices, MigrationGate, NodeFileSystemLive, Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import * as Choices from "../args/Choices.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";
import * as Operation from "../args/Operation.js";
import * as Style from "../render/Style.js";
import * as Summary from "../render/Summary.js";
import * as Terminal from "../render/Terminal.js";
import * as StateItems from "./StateItems.js";

/** Observe the machine and compute the plan for the command line's operation. */
export const compute = (ctx: CommandContext, command: string) =>
  Effect.gen(function* () {
    const read = Operation.parse(ctx.args);
    if (read._tag === "Invalid") return yield* Failure.usage(command, read.message);
    const operation = read.operation;
    const mode = Operation.mode(ctx.args);
    const services = Args.oneOf(ctx.args, "services", Choices.services) ?? "live";
    if (operation._tag === "Delete" && Args.option(ctx.args, "mode") !== undefined) {
      return yield* Failure.invalid("--mode does not apply to delete");
    }
    const world = yield* Observe.world(ctx.root, ctx.settings);
    const nowMs = yield* (yield* Clock).nowMs;
    const state = Args.oneOf(ctx.args, "state", Choices.state) ?? "auto";
    const between = Transition.between(world, { operation, mode, services, state, nowMs, attempts: Operation.attempts(ctx.args) });
    const plan = between._tag === "Left" ? between : yield* MigrationChoices.attach(ctx.root, world, between.right);
    if (plan._tag === "Left") return yield* Failure.ofPlanError(plan.left);
    return plan.right;
  });

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    // A plan refused for data its target cannot read still shows that data's items (not with --json: it prints plans only).
    const plan = yield* Args.flag(ctx.args, "json") ? compute(ctx, "plan") : compute(ctx, "plan").pipe(StateItems.shownWhenRefused(ctx, false));
    // `plan` says whether the switch would be vetoed: the hook runs now (SWITCHYARD_STAGE=plan) and again at apply.
    yield* Hooks.preSwitch(plan, { root: ctx.root, settings: plan.settings }, "plan");
    // Planning stays possible while a migration graph is under way; applying would be refused.
    yield* MigrationGate.check(ctx.root, plan).pipe(
      Effect.catchTag("MigrationsPending", (e) => Effect.sync(() => process.stderr.write(`switchyard: warning: apply would refuse this plan (exit 7): ${Escape.line(e.message)}\n`))),
    );
    const out = Args.option(ctx.args, "out");
    // The user's own file, a host path: written atomically like every file, but not confined to the root.
    if (out !== undefined) yield* Durable.writeFile(path.resolve(out), new TextEncoder().encode(PlanFile.toText(plan))).pipe(Effect.provide(NodeFileSystemLive));
    if (Args.flag(ctx.args, "json")) Json.print(PlanFile.toDocument(plan));
    else {
      process.stdout.write(`${Items.above(plan.items, plan.choices)}${Summary.plan(plan, Style.of(Terminal.stdout()), { steps: Args.flag(ctx.args, "steps"), stepsHint: true })}\n`);
      if (plan.preSwitch !== undefined && plan.preSwitch !== null) process.stdout.write(`${HookNames.label(plan.preSwitch)} agrees (it is asked again at apply)\n`);
      if (out !== undefined) process.stdout.write(`Saved to ${out}; carry it out with 'switchyard apply --plan ${out}'.\n`);
    }
  });

/** `switchyard plan OPERATION [--mode M] [--json] [--out FILE]`: the whole transition, without doing it. */
import * as path from "node:path";
import { PlanFile, Request, Transition } from "@switchyard/model";
import { Clock, Durable, NodeFileSystemLive, Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import * as Choices from "../args/Choices.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Json from "../render/Json.js";
import * as Operation from "../args/Operation.js";
import * as Style from "../render/Style.js";
import * as Summary from "../render/Summary.js";
import * as Terminal from "../render/Terminal.js";

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
    const plan = Transition.between(world, { operation, mode, services, state, nowMs, attempts: Operation.attempts(ctx.args) });
    if (plan._tag === "Left") return yield* Failure.ofPlanError(plan.left);
    return plan.right;
  });

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const plan = yield* compute(ctx, "plan");
    const out = Args.option(ctx.args, "out");
    // The user's own file, a host path: written atomically like every file, but not confined to the root.
    if (out !== undefined) yield* Durable.writeFile(path.resolve(out), new TextEncoder().encode(PlanFile.toText(plan))).pipe(Effect.provide(NodeFileSystemLive));
    if (Args.flag(ctx.args, "json")) Json.print(PlanFile.toDocument(plan));
    else {
      process.stdout.write(`${Summary.plan(plan, Style.of(Terminal.stdout()), { steps: Args.flag(ctx.args, "steps"), stepsHint: true })}\n`);
      if (out !== undefined) process.stdout.write(`Saved to ${out}; carry it out with 'switchyard apply --plan ${out}'.\n`);
    }
  });

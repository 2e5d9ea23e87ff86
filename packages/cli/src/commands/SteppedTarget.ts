/** The generation `apply switch N --stepped` is headed for, resolved once before the first hop. */
import { Spec } from "@switchyard/model";
import { Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";

export const resolve = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const [, operation, spec] = ctx.args.positional;
    if (ctx.saved !== null || operation !== "switch" || spec === undefined) {
      return yield* Failure.usage("apply", "--stepped goes with 'apply switch N' (not with a saved plan): it plans each hop afresh");
    }
    const mode = Args.option(ctx.args, "mode");
    if ((mode !== undefined && mode !== "switch") || Args.option(ctx.args, "try") !== undefined) {
      return yield* Failure.usage("apply", "--stepped runs each generation of the chain, so it goes with --mode switch only");
    }
    const world = yield* Observe.world(ctx.root, ctx.settings);
    const parsed = Spec.parse(spec);
    const target = parsed._tag === "Left" ? parsed : Spec.resolve(parsed.right, world.generations.map((g) => g.number), world.current);
    if (target._tag === "Left") return yield* Failure.invalid(target.left.message);
    return target.right;
  });

/**
 * `switchyard diff [A] B [--json]`: what differs between two generations (A defaults to the
 * current one). The comparison is the model's (`GenerationDiff`); this only picks and prints.
 */
import { GenerationDiff } from "@switchyard/model";
import { Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Json from "../render/Json.js";
import * as Pick from "./Pick.js";
import * as RenderDiff from "../render/RenderDiff.js";
import * as Style from "../render/Style.js";
import * as Terminal from "../render/Terminal.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const words = ctx.args.positional.slice(1);
    const world = yield* Observe.world(ctx.root, ctx.settings);
    if (words.length === 1 && world.current === null) return yield* Failure.failed("no current generation to compare with; give both: switchyard diff A B");
    const [fromText, toText] = words.length === 1 ? [String(world.current), words[0] as string] : [words[0] as string, words[1] as string];
    const from = yield* Pick.generation(world, fromText);
    const to = yield* Pick.generation(world, toText);
    const d = GenerationDiff.between(from, to);
    if (d._tag === "Left") return yield* Failure.invalid(d.left.message);
    if (Args.flag(ctx.args, "json")) Json.print(d.right);
    else process.stdout.write(`${RenderDiff.diff(d.right, Style.of(Terminal.stdout()))}\n`);
  });

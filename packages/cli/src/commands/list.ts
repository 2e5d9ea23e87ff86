/** `switchyard list [PATTERN] [--long] [--json]`: the generations, or those a pattern selects. */
import { Pattern, World } from "@switchyard/model";
import { Clock, Observe, Root } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Json from "../render/Json.js";
import * as Pieces from "../render/Pieces.js";
import * as Render from "../render/Render.js";
import * as SnapshotNotice from "./SnapshotNotice.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const [, patternText] = ctx.args.positional;
    const world = yield* Observe.listing(ctx.root, ctx.settings);
    let selected: ReadonlyArray<World.Generation> = world.generations;
    if (patternText !== undefined) {
      const pattern = Pattern.parse(patternText, "list");
      if (pattern._tag === "Left") return yield* Failure.invalid(pattern.left.message);
      const now = yield* (yield* Clock).nowMs;
      const numbers = Pattern.selectForList(pattern.right, world.generations, now);
      selected = numbers.flatMap((n) => World.generation(world, n) ?? []);
    }
    if (selected.length === 0) {
      return yield* Failure.failed(
        world.generations.length === 0
          ? `no generations in ${Root.host(ctx.root, World.profileDir(ctx.settings))}; add one with 'switchyard add SYSTEM_DIR'`
          : "no matching generation",
      );
    }
    const long = Args.flag(ctx.args, "long");
    if (Args.flag(ctx.args, "json")) Json.print(Json.list(world, selected, long));
    else {
      const notice = yield* SnapshotNotice.storage(ctx);
      const out = Pieces.toStdout();
      Render.table(world, selected, long, out.emit);
      out.emit(notice);
      out.end();
    }
  });

/** `switchyard describe [N] [--json]` (also `show`): a generation, the current one by default: its boot entry and its services. */
import { World } from "@switchyard/model";
import { Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Json from "../render/Json.js";
import * as Pick from "./Pick.js";
import * as Render from "../render/Render.js";
import * as SnapshotNotice from "./SnapshotNotice.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const world = yield* Observe.world(ctx.root, ctx.settings);
    const given = ctx.args.positional[1];
    const g = given !== undefined ? yield* Pick.generation(world, given) : world.current === null ? undefined : World.generation(world, world.current);
    if (g === undefined) return yield* Failure.failed("no current generation, nothing to describe; add one with 'switchyard add SYSTEM_DIR' and switch to it");
    if (Args.flag(ctx.args, "json")) Json.print(Json.describe(world, g));
    else process.stdout.write(`${Render.description(world, g)}\n${yield* SnapshotNotice.storage(ctx, g.manifest._tag === "Valid" && g.manifest.manifest.services.some((r) => r.state !== null))}`);
  });

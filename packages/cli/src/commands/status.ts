/**
 * `switchyard status [--json]`: the current, running and booted generation and, for each service,
 * what the service manager reports next to the revision it runs and whether that is the current
 * generation's record. With `--service-manager none` the services are not observed.
 */
import { Status } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Json from "../render/Json.js";
import * as RenderStatus from "../render/RenderStatus.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const status = yield* Status.observe(ctx.root, ctx.settings);
    if (Args.flag(ctx.args, "json")) Json.print(status);
    else process.stdout.write(`${RenderStatus.status(status)}\n`);
  });

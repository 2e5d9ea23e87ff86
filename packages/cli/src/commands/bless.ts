/**
 * `switchyard bless [--bad]`: run by the booted system once it is healthy (a systemd unit or an s6
 * one-shot, see docs/boot.md). Makes the generation booted on trial the permanent boot default, or
 * with `--bad` gives up on it so the next boot falls back. Nothing pending is not an error: the
 * unit runs on every boot.
 */
import { Bless } from "@switchyard/model";
import { Apply, Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Escape from "../render/Escape.js";
import * as Options from "../args/Options.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const verdict = Args.flag(ctx.args, "bad") ? "bad" : "good";
    let message = "";
    // Planned under the lock, from the booted generation and the bootloader's files as they are now.
    const compute = Effect.gen(function* () {
      const outcome = Bless.plan(yield* Observe.world(ctx.root, ctx.settings), verdict);
      if (outcome._tag === "Left") return yield* outcome.left.reason === "Invalid" ? Failure.invalid(outcome.left.message) : Failure.failed(outcome.left.message);
      message = outcome.right.message;
      return outcome.right.plan;
    });
    const options = {
      root: ctx.root,
      settings: ctx.settings,
      command: verdict === "bad" ? "bless --bad" : "bless",
      waitLockSeconds: Options.waitLockSeconds(ctx.args),
    };
    const outcome = yield* Apply.planAndApply(options, compute, (plan) => Effect.succeed(plan.steps.length > 0));
    for (const w of outcome?.plan.warnings ?? []) process.stderr.write(`warning: ${Escape.line(w)}\n`);
    process.stdout.write(`${Escape.line(message)}\n`);
  });

/**
 * `switchyard confirm [--json]`: keep a switch applied with `--confirm-within`. Under the lock (so
 * it never races the watcher's revert) the pending confirmation is removed durably; the watcher
 * sees it gone and exits without reverting anything.
 */
import { Confirmation, ConfirmationError, Lock } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Json from "../render/Json.js";
import * as Options from "../args/Options.js";

const CONFIRM_WAIT_SECONDS = 10;

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    // A watcher reverting at the deadline holds the lock for a moment: wait for it rather than fail.
    const pending = yield* Lock.withLock(ctx.root, "confirm", Math.max(Options.waitLockSeconds(ctx.args), CONFIRM_WAIT_SECONDS), () =>
      Effect.gen(function* () {
        const found = yield* Confirmation.read(ctx.root);
        if (found === null) return yield* new ConfirmationError({ reason: "Nothing", message: "no switch waits for confirmation (none was applied with --confirm-within, or it was confirmed or reverted already)" });
        yield* Confirmation.remove(ctx.root);
        return found;
      }),
    );
    if (Args.flag(ctx.args, "json")) Json.print({ confirmed: pending.to, from: pending.from, deadlineMs: pending.deadlineMs });
    else process.stdout.write(`confirmed: generation ${pending.to} stays; it no longer reverts to generation ${pending.from ?? "(none)"}\n`);
  });

/**
 * `plan` refuses to plan from a half-switched machine; the read-only commands say it is one.
 * `apply`, `add` and `recover` decide under the lock (a journal seen before it may be that of an
 * apply finishing that very moment). A journal whose apply is still running is not an interruption.
 */
import { Effect } from "effect";
import { Apply, Interruption, type Root } from "@switchyard/interpreter";
import type * as Args from "./args/Args.js";
import * as Escape from "./render/Escape.js";

export const journal = (root: Root.Root, command: Args.Runnable) =>
  Effect.gen(function* () {
    if (command === "recover" || command === "apply" || command === "add" || command === "restart") return;
    if ((yield* Interruption.status(root)) !== "interrupted") return;
    const refusal = Apply.interrupted(root);
    if (command === "plan" || command === "bless" || command === "pin" || command === "unpin") return yield* Effect.fail(refusal);
    process.stderr.write(`switchyard: warning: ${Escape.line(refusal.message)}\n`);
  });

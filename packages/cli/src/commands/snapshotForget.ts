/**
 * `switchyard snapshot forget ID`: remove one snapshot, under the lock. Refused while an apply is
 * interrupted: its recovery may need the snapshot to put data back.
 */
import { Apply, Interruption, Lock, Snapshots } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";
import * as Options from "../args/Options.js";
import * as Escape from "../render/Escape.js";

export const run = (ctx: CommandContext, id: string) =>
  Lock.withLock(ctx.root, `snapshot forget ${id}`, Options.waitLockSeconds(ctx.args), () =>
    Effect.gen(function* () {
      if ((yield* Interruption.status(ctx.root)) === "interrupted") return yield* Effect.fail(Apply.interrupted(ctx.root));
      yield* Snapshots.Forget.forget(ctx.root, id);
      process.stdout.write(`${Escape.line(`forgot snapshot ${id}`)}\n`);
    }),
  );

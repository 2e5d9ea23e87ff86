/**
 * `switchyard pin N` / `switchyard unpin N`: protect generation N from every delete (or stop
 * protecting it). The pins record is rewritten atomically under the lock, so a delete planned at
 * the same time sees either the old pins or the new ones; a pin added after a delete was saved
 * makes that saved plan stale (the pins are among its preconditions).
 */
import { GenerationNumber } from "@switchyard/model";
import { Layout, Lock, Observe, Pins } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Options from "../args/Options.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const [command, given] = ctx.args.positional;
    const pin = command === "pin";
    // The parser has checked that N is one generation number.
    const n = GenerationNumber.parse(given ?? "");
    if (n._tag === "None") return yield* Failure.usage(command ?? "pin", `${command} takes one generation number N (see 'switchyard list')`);
    const number = n.value;
    const message = yield* Lock.withLock(ctx.root, `${command} ${number}`, Options.waitLockSeconds(ctx.args), () =>
      Effect.gen(function* () {
        const pins = yield* Pins.read(ctx.root);
        const had = pins.includes(number);
        if (pin) {
          const links = yield* Observe.generations(ctx.root, ctx.settings);
          if (!links.generations.some((g) => g.number === number)) return yield* Failure.invalid(`generation ${number} does not exist; see 'switchyard list'`);
          if (had) return `generation ${number} is pinned already`;
          // Like a first apply: the state directory it writes into is stamped with its layout first.
          if ((yield* Layout.detect(ctx.root))._tag === "Empty") yield* Layout.stamp(ctx.root);
          yield* Pins.write(ctx.root, [...pins, number]);
          return `pinned generation ${number}: no delete will remove it ('switchyard unpin ${number}' to undo)`;
        }
        if (!had) return `generation ${number} is not pinned; nothing to do`;
        yield* Pins.write(ctx.root, pins.filter((p) => p !== number));
        return `unpinned generation ${number}`;
      }),
    );
    process.stdout.write(`${message}\n`);
  });

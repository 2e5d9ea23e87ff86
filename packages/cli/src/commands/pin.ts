/**
 * `switchyard pin N` / `switchyard unpin N`: protect generation N from every delete (or stop
 * protecting it). The pins record is rewritten atomically under the lock, so a delete planned at
 * the same time sees either the old pins or the new ones.
 */
import { GenerationNumber } from "@switchyard/model";
import { Links, Lock, Pins } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Options from "../args/Options.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const [command, given, extra] = ctx.args.positional;
    const pin = command === "pin";
    const n = given === undefined ? undefined : GenerationNumber.parse(given);
    if (n === undefined || n._tag === "None" || extra !== undefined) return yield* Failure.invalid(`usage: switchyard ${command} N (N a generation number; see 'switchyard list')`);
    const number = n.value;
    const message = yield* Lock.withLock(ctx.root, `${command} ${number}`, Options.waitLockSeconds(ctx.args), () =>
      Effect.gen(function* () {
        const pins = yield* Pins.read(ctx.root);
        const had = pins.includes(number);
        if (pin) {
          const links = yield* Links.generations(ctx.root, ctx.settings);
          if (!links.generations.some((g) => g.number === number)) return yield* Failure.invalid(`generation ${number} does not exist; see 'switchyard list'`);
          if (had) return `generation ${number} is pinned already`;
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


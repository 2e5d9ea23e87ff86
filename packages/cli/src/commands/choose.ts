/**
 * `switchyard choose ITEM RESOLUTION [--json]`: record, under the lock and atomically, that
 * RESOLUTION settles the pending item ITEM. The choice belongs to the transition the items were
 * reported for (`check`, or an `apply` that refused); it survives reboots and is void as soon as
 * another transition is planned.
 */
import { Choice } from "@switchyard/model";
import { ChoiceFile, Lock } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";
import * as Options from "../args/Options.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const [, item = "", resolution = ""] = ctx.args.positional;
    const record = yield* Lock.withLock(ctx.root, `choose ${item} ${resolution}`, Options.waitLockSeconds(ctx.args), () =>
      Effect.gen(function* () {
        const next = Choice.choose(yield* ChoiceFile.read(ctx.root), item, resolution);
        if (next._tag === "Left") return yield* Failure.invalid(next.left);
        yield* ChoiceFile.write(ctx.root, next.right);
        return next.right;
      }),
    );
    const open = Choice.unresolved(record.items, record.choices);
    if (Args.flag(ctx.args, "json")) {
      Json.print({ chosen: { item, resolution }, ...Items.json(record.transition, record.items, record.choices) });
      return;
    }
    const left = open.length === 0 ? "no error item is left without a resolution" : `still without a resolution: ${open.map((i) => i.id).join(", ")}`;
    process.stdout.write(`chose '${resolution}' for '${item}' (the switch from ${Choice.describeTransition(record.transition)}); ${left}\n`);
  });

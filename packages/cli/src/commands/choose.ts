/**
 * `switchyard choose ITEM RESOLUTION [--json]`: record, under the lock and atomically, that
 * RESOLUTION settles the pending item ITEM. An item the checks reported belongs to the transition
 * they were run for (`check`, or an `apply` that refused): the choice survives reboots and is void
 * as soon as another transition is planned. An item a migration reported belongs to the graph
 * under way: `migrations continue` then runs the resolution's migrations.
 */
import { Choice, NewItems } from "@switchyard/model";
import { ChoiceFile, Lock, MigrationFiles, MigrationItems } from "@switchyard/interpreter";
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
    const { target, file: record } = yield* Lock.withLock(ctx.root, `choose ${item} ${resolution}`, Options.waitLockSeconds(ctx.args), () =>
      Effect.gen(function* () {
        const graph = yield* MigrationFiles.read(ctx.root);
        const reported = graph === null ? null : yield* MigrationItems.read(ctx.root, graph.record);
        const next = NewItems.choose(yield* ChoiceFile.read(ctx.root), reported, item, resolution);
        if (next._tag === "Left") return yield* Failure.invalid(next.left);
        if (next.right.target === "migrations") yield* MigrationItems.write(ctx.root, next.right.file);
        else yield* ChoiceFile.write(ctx.root, next.right.file);
        return next.right;
      }),
    );
    const open = Choice.unresolved(record.items, record.choices);
    if (Args.flag(ctx.args, "json")) {
      Json.print({ chosen: { item, resolution }, reportedBy: target, ...Items.json(record.transition, record.items, record.choices) });
      return;
    }
    const left = open.length === 0 ? "no error item is left without a resolution" : `still without a resolution: ${open.map((i) => i.id).join(", ")}`;
    const then = target === "migrations" ? "; 'switchyard migrations continue' runs its migrations and lifts the pause" : "";
    const whose = target === "migrations" ? "the migration graph of the switch" : "the switch";
    process.stdout.write(`chose '${resolution}' for '${item}' (${whose} from ${Choice.describeTransition(record.transition)}); ${left}${then}\n`);
  });

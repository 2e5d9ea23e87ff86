/** `switchyard choices [--json]`: the items last reported, which of them are settled and how, and which still block an apply. */
import { Choice } from "@switchyard/model";
import { ChoiceFile } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const record = yield* ChoiceFile.read(ctx.root);
    if (Args.flag(ctx.args, "json")) {
      Json.print(record === null ? { transition: null, items: [], choices: [], migrations: [], unresolved: [] } : Items.json(record.transition, record.items, record.choices));
      return;
    }
    if (record === null || record.items.length === 0) {
      process.stdout.write("no items are pending; 'switchyard check OPERATION' runs the checks of a switch\n");
      return;
    }
    process.stdout.write(`items of the switch from ${Choice.describeTransition(record.transition)} (void once another switch is planned):\n${Items.text(record.items, record.choices)}\n`);
  });

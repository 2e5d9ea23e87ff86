/**
 * `switchyard choices [--json]`: the items last reported, by the checks and by the migrations of
 * the graph under way, which of them are settled and how, and which still block an apply (or keep
 * the graph paused).
 */
import { Choice } from "@switchyard/model";
import { ChoiceFile, MigrationFiles, MigrationItems } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const record = yield* ChoiceFile.read(ctx.root);
    const graph = yield* MigrationFiles.read(ctx.root);
    const reported = graph === null ? null : yield* MigrationItems.read(ctx.root, graph.record);
    if (Args.flag(ctx.args, "json")) {
      const checks = record === null ? { transition: null, items: [], choices: [], migrations: [], unresolved: [] } : Items.json(record.transition, record.items, record.choices);
      Json.print({ ...checks, reportedByMigrations: reported === null ? null : Items.json(reported.transition, reported.items, reported.choices) });
      return;
    }
    const blocks: Array<string> = [];
    if (record !== null && record.items.length > 0) {
      blocks.push(`items of the switch from ${Choice.describeTransition(record.transition)} (void once another switch is planned):\n${Items.text(record.items, record.choices)}\n`);
    }
    if (reported !== null && reported.items.length > 0) {
      const how = "'switchyard migrations continue' runs the chosen resolutions' migrations";
      blocks.push(`items the migrations of the graph under way reported (${Choice.describeTransition(reported.transition)}; ${how}):\n${Items.text(reported.items, reported.choices, Items.MIGRATIONS)}\n`);
    }
    process.stdout.write(blocks.length === 0 ? "no items are pending; 'switchyard check OPERATION' runs the checks of a switch\n" : blocks.join("\n"));
  });

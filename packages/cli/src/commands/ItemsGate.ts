/**
 * What the checks' items do to an apply: it refuses (exit 6) while an error item has no chosen
 * resolution, naming the item and the `switchyard choose` command that settles it, and records
 * the items as pending so that `choose` can pick from them later, across a reboot if need be. On
 * a terminal, `apply` first offers the resolutions of each such item and records the answers.
 */
import { Assessment, Choice, type Plan } from "@switchyard/model";
import { ChoiceFile } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";
import { ExitCode } from "../ExitCode.js";
import * as Escape from "../render/Escape.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as Prompt from "../render/Prompt.js";
import * as ResolutionPrompt from "../render/ResolutionPrompt.js";

export const refuse = (ctx: CommandContext, plan: Plan.Plan) =>
  Effect.gen(function* () {
    const open = Assessment.unresolved(plan);
    const first = open[0];
    if (first !== undefined) {
      if (plan.choiceKey !== null) yield* ChoiceFile.recordPending(ctx.root, plan.choiceKey, plan.items);
      const offered = first.resolutions ?? [];
      const how =
        offered.length === 0
          ? "it offers no resolution: remove its cause, then apply again"
          : `choose one of ${offered.map((r) => r.id).join(", ")} with '${Items.chooseCommand(first)}', then apply again`;
      const more = open.length > 1 ? ` (${open.length - 1} more: see 'switchyard choices')` : "";
      return yield* new Failure.CommandFailed({ message: `error item '${first.id}' has no chosen resolution (${first.message}); ${how}${more}; nothing was applied`, exit: ExitCode.Unresolved });
    }
  });

/** On a terminal: ask for each unsettled error item's resolution, record the answers, and return the plan with them. */
export const offer = (ctx: CommandContext) => (plan: Plan.Plan) =>
  Effect.gen(function* () {
    const key = plan.choiceKey;
    const open = Assessment.unresolved(plan).filter((i) => (i.resolutions ?? []).length > 0);
    if (key === null || open.length === 0 || !Prompt.interactive()) return plan;
    let record = yield* ChoiceFile.recordPending(ctx.root, key, plan.items);
    for (const item of open) {
      const offered = item.resolutions ?? [];
      process.stderr.write(`${Escape.line(`error ${item.id}: ${item.message}`)}\n${offered.map((r, i) => `  ${i + 1}. ${Escape.line(`${r.id}: ${r.description}`)}\n`).join("")}`);
      const pick = yield* ResolutionPrompt.ask(`Resolve ${Escape.line(item.id)} with [1-${offered.length}, empty: leave it]: `, offered.length);
      if (pick === "cancelled") return yield* new Failure.Cancelled({ message: "cancelled; nothing was applied" });
      const chosen = pick === null ? undefined : offered[pick];
      if (chosen === undefined) continue;
      const next = Choice.choose(record, item.id, chosen.id);
      if (next._tag === "Left") return yield* Failure.invalid(next.left);
      record = next.right;
      yield* ChoiceFile.write(ctx.root, record);
    }
    return Assessment.attach(plan, key, plan.items, record.choices);
  });

/**
 * How a migration's run ended: done, failed (non-zero exit, killed, timed out), or done with new
 * items. New items are one line of its output holding a `{"items": [...]}` document in the check
 * report format; such a line that does not decode fails the migration, so a typo is not lost.
 */
import { Decode, Item } from "@switchyard/model";
import type { RunResult } from "../ports/ProcessRunner.js";

export type Ended =
  | { readonly ok: true; readonly message: null; readonly items: ReadonlyArray<Item.Item> }
  | { readonly ok: false; readonly message: string };

const itemsLine = (line: string): boolean => /^\s*\{\s*"items"\s*:/.test(line);

export const of = (m: Item.Migration, result: RunResult, lines: ReadonlyArray<string>): Ended => {
  if (result.timedOut) return { ok: false, message: `migration '${m.id}' timed out and was stopped` };
  if (result.exitCode !== 0) {
    const how = result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with status ${result.exitCode}`;
    return { ok: false, message: `migration '${m.id}' ${how}` };
  }
  const items: Array<Item.Item> = [];
  for (const line of lines.filter(itemsLine)) {
    const report = Decode.text(Item.Report, line, `the output of migration '${m.id}'`);
    if (report._tag === "Left") return { ok: false, message: `migration '${m.id}' printed items that cannot be read: ${Decode.describe(report.left)}` };
    items.push(...report.right.items);
  }
  return { ok: true, message: null, items };
};

/**
 * What the checks report, as `check`, `plan`, `apply` and `choices` print it: one block per item,
 * errors first, each with its resolutions (the chosen one marked) and, for an error nobody settled
 * yet, the `switchyard choose` command that settles it. Every text from a check is escaped.
 */
import { Choice, type Item } from "@switchyard/model";
import * as Escape from "./Escape.js";

const e = Escape.line;
const ORDER = { error: 0, warning: 1, recommendation: 2 } as const;

/** Errors first, then warnings, then recommendations; in reported order within each. */
export const sorted = (items: ReadonlyArray<Item.Item>): ReadonlyArray<Item.Item> =>
  items.map((item, i) => [item, i] as const).sort(([a, i], [b, j]) => ORDER[a.severity] - ORDER[b.severity] || i - j).map(([item]) => item);

/** The command that records `resolution` (or a placeholder) for `item`. */
export const chooseCommand = (item: Item.Item, resolution?: string): string => `switchyard choose ${item.id} ${resolution ?? ((item.resolutions ?? []).length === 1 ? (item.resolutions?.[0]?.id ?? "") : "RESOLUTION")}`;

const migrations = (r: Item.Resolution): string => {
  const ms = r.migrations ?? [];
  return ms.length === 0 ? "" : ` (runs ${ms.map((m) => e(m.id)).join(", ")})`;
};

const block = (item: Item.Item, choices: ReadonlyArray<Choice.Choice>, source: Source): ReadonlyArray<string> => {
  const chosen = choices.find((c) => c.item === item.id)?.resolution;
  const lines = [`${item.severity} ${e(item.id)}: ${e(item.message)}`];
  for (const r of item.resolutions ?? []) lines.push(`  ${r.id === chosen ? "* " : "- "}${e(r.id)}: ${e(r.description)}${migrations(r)}${r.id === chosen ? " [chosen]" : ""}`);
  if (item.severity === "error" && chosen === undefined && !source.choose) lines.push((item.resolutions ?? []).length === 0 ? "  no way out is offered" : "  take one of these ways with the command it names");
  else if (item.severity === "error" && chosen === undefined) {
    lines.push((item.resolutions ?? []).length === 0 ? "  no resolution is offered: remove its cause" : `  to settle it: ${chooseCommand(item)}`);
  }
  return lines;
};

/** Who reported the items, and what an error item without a resolution holds back. */
export interface Source {
  readonly name: string;
  readonly blocks: string;
  /** Whether `switchyard choose` settles its items; the data-epoch items' resolutions are commands to run instead. */
  readonly choose: boolean;
}

export const CHECKS: Source = { name: "checks", blocks: "apply refuses until one is chosen", choose: true };
export const MIGRATIONS: Source = { name: "reported by migrations", blocks: "the migration graph stays paused until one is chosen", choose: true };
export const STATE: Source = { name: "checks", blocks: "the switch is refused", choose: false };

/** The items as text (no trailing newline); "" when there are none. */
export const text = (items: ReadonlyArray<Item.Item>, choices: ReadonlyArray<Choice.Choice>, source: Source = CHECKS): string => {
  if (items.length === 0) return "";
  const count = (s: Item.Severity) => items.filter((i) => i.severity === s).length;
  const parts = (["error", "warning", "recommendation"] as const).flatMap((s) => (count(s) === 0 ? [] : [`${count(s)} ${s}${count(s) === 1 ? "" : "s"}`]));
  const open = Choice.unresolved(items, choices).length;
  const head = `${source.name}: ${parts.join(", ")}${open === 0 ? "" : `; ${open} error${open === 1 ? "" : "s"} without a chosen resolution (${source.blocks})`}`;
  return [head, ...sorted(items).flatMap((i) => block(i, choices, source))].join("\n");
};

/** The items of a plan followed by a blank line, or "" when it has none. */
export const above = (items: ReadonlyArray<Item.Item>, choices: ReadonlyArray<Choice.Choice>): string => {
  const t = text(items, choices);
  return t === "" ? "" : `${t}\n\n`;
};

/** For `--json`: the items, the choices, the migrations chosen and the ids that still block an apply. */
export const json = (key: Choice.Transition | null, items: ReadonlyArray<Item.Item>, choices: ReadonlyArray<Choice.Choice>) => ({
  transition: key,
  items,
  choices,
  migrations: Choice.chosenMigrations(items, choices),
  unresolved: Choice.unresolved(items, choices).map((i) => i.id),
});

/**
 * `switchyard diff A B` as text: the two generations, then what differs in the same marks as a plan
 * (`~` changed, `+` added, `-` removed, `-/+` a switch stops and starts it…), each changed service
 * with its fields and what a switch from A to B would do to it. Paths inside a generation's own
 * system directory are written `A/…` and `B/…`, so the line says what changed, not where the store is.
 */
import type { GenerationDiff } from "@switchyard/model";
import * as Escape from "./Escape.js";
import type * as Style from "./Style.js";

type Diff = GenerationDiff.GenerationDiff;
const e = Escape.line;

const DECISION: Readonly<Record<GenerationDiff.Decision, readonly [Style.Mark, string]>> = {
  "stop-start": ["replace", "stop, then start"],
  restart: ["change", "restart in place (stopIfChanged is false)"],
  reload: ["reload", "reload"],
  "keep-old-code": ["skip", "left on old code (restartIfChanged is false)"],
  none: ["same", "nothing to do for the running service"],
};

const shorten = (d: Diff, path: string | null): string => {
  if (path === null) return "(none)";
  if (path.startsWith(`${d.from.system}/`)) return `A/${e(path.slice(d.from.system.length + 1))}`;
  if (path.startsWith(`${d.to.system}/`)) return `B/${e(path.slice(d.to.system.length + 1))}`;
  return e(path);
};

const bootLines = (d: Diff, st: Style.Style): ReadonlyArray<string> => {
  const arrow = st.symbol.arrow;
  const path = (what: string, c: { readonly from: string | null; readonly to: string | null } | null) =>
    c === null ? [] : [`  ${st.mark("change")} ${what}  ${shorten(d, c.from)} ${arrow} ${shorten(d, c.to)}`];
  const p = d.boot.params;
  const params =
    p === null
      ? []
      : [
          `  ${st.mark("change")} params  ${e(p.from.join(" ")) || "(none)"} ${arrow} ${e(p.to.join(" ")) || "(none)"}`,
          ...p.added.map((x) => `      ${st.tint("add", "+")} ${e(x)}`),
          ...p.removed.map((x) => `      ${st.tint("remove", "-")} ${e(x)}`),
        ];
  const lines = [...path("kernel", d.boot.kernel), ...path("initrd", d.boot.initrd), ...params];
  return lines.length === 0 ? [] : [st.bold("Boot entry:"), ...lines];
};

const serviceLines = (d: Diff, st: Style.Style): ReadonlyArray<string> => {
  const s = d.services;
  const rows: Array<readonly [Style.Mark, string, string]> = [
    ...s.added.map((n) => ["add", n, "added: a switch starts it"] as const),
    ...s.removed.map((r) => (r.stops ? (["remove", r.name, "removed: a switch stops it"] as const) : (["skip", r.name, "removed: left running (stopOnRemoval is false)"] as const))),
    ...s.changed.map((c) => {
      const [mark, action] = DECISION[c.decision];
      const why = c.fields.length > 0 ? `changed: ${c.fields.join(", ")}` : c.follows !== null ? `requires ${c.follows}, which stops` : "changed";
      return [mark, c.name, `${why} ${st.symbol.arrow} ${action}`] as const;
    }),
  ];
  if (rows.length === 0) return s.unchanged.length === 0 ? [] : [st.bold("Services:"), st.dim(`      ${s.unchanged.length} unchanged`)];
  const width = Math.max(...rows.map(([, n]) => e(n).length));
  return [
    st.bold("Services:"),
    ...rows.map(([mark, name, text]) => `  ${st.mark(mark)} ${e(name).padEnd(width)}  ${e(text)}`),
    ...(s.unchanged.length === 0 ? [] : [st.dim(`      ${s.unchanged.length} unchanged`)]),
  ];
};

export const counts = (d: Diff): string => {
  const s = d.services;
  const parts: ReadonlyArray<readonly [number, string]> = [
    [s.added.length, "added"],
    [s.removed.length, "removed"],
    [s.changed.length, "changed"],
    [s.unchanged.length, "unchanged"],
  ];
  const services = parts.filter(([n]) => n > 0).map(([n, w]) => `${n} ${w}`);
  const boot = d.boot.kernel !== null || d.boot.initrd !== null || d.boot.params !== null;
  return `services: ${services.length === 0 ? "none" : services.join(", ")}; boot entry ${boot ? "changed" : "unchanged"}; activation script ${d.activate === null ? "unchanged" : "changed"}`;
};

export const diff = (d: Diff, st: Style.Style): string => {
  const side = (letter: string, g: Diff["from"]) => `  ${letter}  generation ${g.number}  ${e(g.label)}  ${st.dim(e(g.system))}`;
  const lines = [st.bold(`Generation ${d.from.number} ${st.symbol.arrow} ${d.to.number}`), side("A", d.from), side("B", d.to)];
  if (d.label !== null) lines.push(st.bold("Label:"), `  ${st.mark("change")} ${e(d.label.from)} ${st.symbol.arrow} ${e(d.label.to)}`);
  lines.push(...bootLines(d, st));
  if (d.activate !== null) lines.push(st.bold("Activation script:"), `  ${st.mark("change")} ${shorten(d, d.activate.from)} ${st.symbol.arrow} ${shorten(d, d.activate.to)}`);
  lines.push(...serviceLines(d, st));
  lines.push("", st.bold(`${counts(d)}.`));
  return lines.join("\n");
};

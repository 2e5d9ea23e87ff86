/**
 * The boot menu and system sections of a plan at a glance (Summary.ts): where the boot default
 * moves and which entries the menu gets, and the links, activation and records the plan changes,
 * in the same marks as the services. Values from the plan are escaped before they are styled.
 */
import { RestartDebt, type Plan, type Step } from "@switchyard/model";
import * as Escape from "./Escape.js";
import type * as Style from "./Style.js";

const e = Escape.line;

/** "1-3, 7, 9-12" */
export const ranges = (numbers: ReadonlyArray<number>): string => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const parts: Array<string> = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}${j === i + 1 ? ", " : "-"}${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
};

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The boot default before the plan: the generation the profile link names. */
const defaultBefore = (p: Plan.Plan): number | null => {
  const m = /-([0-9]+)-link$/.exec(p.preconditions.profileTarget ?? "");
  return m === null ? null : Number(m[1]);
};

const list = (numbers: ReadonlyArray<number>, st: Style.Style): string =>
  numbers.length <= 12 ? numbers.join(", ") : `${numbers.slice(0, 10).join(", ")}, ${st.symbol.ellipsis} (${numbers.length} entries)`;

export const boot = (p: Plan.Plan, st: Style.Style): ReadonlyArray<string> => {
  const files = p.steps.filter((s): s is Extract<Step.Step, { _tag: "WriteFile" }> => s._tag === "WriteFile" && s.path !== RestartDebt.PATH);
  if (p.boot === null) return p.mode === "test" && p.operation._tag !== "Delete" && p.operation._tag !== "Restart" ? [st.bold("Boot menu:"), `  ${st.mark("same")} unchanged (--mode test: the boot default stays)`] : [];
  const before = defaultBefore(p);
  const moves = before !== null && before !== p.boot.default;
  const out = [st.bold(`Boot menu${files.length === 0 ? "" : ` (${files.map((f) => e(f.path)).join(", ")})`}:`)];
  const where = moves ? " (after the commit)" : "";
  out.push(`  ${st.mark(moves ? "change" : "same")} default ${moves ? `generation ${before} ${st.symbol.arrow} ${p.boot.default}` : `generation ${p.boot.default}`}${where}; entries ${list(p.boot.entries, st)}`);
  if (p.delete.length > 0) out.push(`  ${st.mark("remove")} ${p.delete.length === 1 ? "entry" : "entries"} of generation${p.delete.length === 1 ? "" : "s"} ${ranges(p.delete)}`);
  if (p.operation._tag === "Add" && p.to !== null) out.push(`  ${st.mark("add")} entry of generation ${p.to} (under "Older generations")`);
  if (p.boot.omitted !== undefined && p.boot.omitted > 0) out.push(`  ${st.mark("skip")} ${plural(p.boot.omitted, "older generation")} left out (boot.menuLimit)`);
  const t = p.boot.trial;
  if (t !== undefined && t !== null) {
    const times = t.attempts === null ? "with the attempts it has left" : t.attempts === 1 ? "once" : `up to ${t.attempts} times`;
    out.push(`  ${st.mark("change")} trial: generation ${t.generation} boots next, ${times}; unless 'switchyard bless' runs on it, generation ${p.boot.default} boots after that`);
  }
  return out;
};

/** "1 service left on old code (pinned)", from the record the plan writes. */
const debtText = (content: string): string => {
  const entries = RestartDebt.fromText(content);
  if (entries._tag === "Left") return "rewrite the record";
  const names = entries.right.map((d) => e(d.service));
  return `${plural(names.length, "service")} left on old code (${names.join(", ")})`;
};

export const system = (p: Plan.Plan, st: Style.Style): ReadonlyArray<string> => {
  const out: Array<string> = [];
  const removed: Array<string> = [];
  const to = p.to === null ? "the target" : `generation ${p.to}`;
  for (const s of p.steps) {
    switch (s._tag) {
      case "ReplaceSymlink":
        if (s.path === "/run/current-system") out.push(`  ${st.mark("change")} /run/current-system ${st.symbol.arrow} ${to} (runs now)`);
        // The profile link is the boot default: the boot menu's lines already say where it moves.
        else if (/-[0-9]+-link$/.test(s.target)) {
          if (p.boot === null) out.push(`  ${st.mark("change")} profile ${st.symbol.arrow} ${to} (the boot default)`);
        }
        else out.push(`  ${st.mark("change")} ${e(s.path)} ${st.symbol.arrow} ${e(s.target)}`);
        break;
      case "RunActivation":
        out.push(`  ${st.mark("reload")} run the activation script of ${to} (${s.action})`);
        break;
      case "CreateGenerationLink":
        out.push(`  ${st.mark("add")} ${e(s.path)} ${st.symbol.arrow} ${e(s.target)}`);
        break;
      case "RemoveLink":
        removed.push(e(s.path));
        break;
      case "WriteFile":
        if (s.path === RestartDebt.PATH) out.push(`  ${st.mark("change")} restart debt: ${debtText(s.content)}`);
        break;
      case "RemoveFile":
        out.push(`  ${st.mark("remove")} ${s.path === RestartDebt.PATH ? "restart debt: cleared" : e(s.path)}`);
        break;
      default:
        break;
    }
  }
  if (removed.length > 0) {
    const shown = removed.length === 1 ? removed[0] : `${removed.length} generation links (${ranges(p.delete)})`;
    out.push(`  ${st.mark("remove")} ${shown}; the system directories stay for garbage collection`);
  }
  return out.length === 0 ? [] : [st.bold("System:"), ...out];
};

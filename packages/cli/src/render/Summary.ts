/**
 * A plan at a glance, as `plan` and `apply` print it: one marked line per service that changes,
 * with the reason (PlanServices.ts), the boot menu and the system's links and records in the same
 * style, one summary line ("3 to stop, 4 to start, 1 to reload"), and what a failure would revert.
 * The numbered step list follows only when asked for (`plan --steps`; `--json` always has it).
 * Every value from a manifest or a link is escaped before it is styled.
 */
import { Plan, RestartDebt, Step } from "@switchyard/model";
import * as Escape from "./Escape.js";
import * as PlanServices from "./PlanServices.js";
import * as Style from "./Style.js";

const e = Escape.line;

export interface Options {
  /** The numbered steps and revert steps. */
  readonly steps: boolean;
  /** Say that `--steps` lists them (only `plan` takes it). */
  readonly stepsHint: boolean;
}

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

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const header = (p: Plan.Plan): string => {
  const op = p.operation;
  switch (op._tag) {
    case "Switch":
    case "Rollback":
      return `${op._tag === "Rollback" ? "roll back" : "switch"} from generation ${p.from ?? "(none)"} to ${p.to ?? "(none)"} (mode ${p.mode})`;
    case "Delete":
      return `delete ${plural(p.delete.length, "generation")}`;
    case "Add":
      return `add ${e(op.system)} as generation ${p.to ?? "?"}`;
    case "Restart":
      return `restart ${op.debt ? "what is left on old code" : op.services.map(e).join(", ")} onto generation ${p.to ?? "?"}'s code`;
  }
};

const ACTION_MARK: Readonly<Record<PlanServices.Action, Style.Mark>> = {
  stop: "remove",
  replace: "replace",
  restart: "change",
  reload: "reload",
  start: "add",
  skip: "skip",
};

const serviceSection = (p: Plan.Plan, st: Style.Style): ReadonlyArray<string> => {
  const lines = PlanServices.lines(p);
  if (lines.length === 0) return [];
  const width = Math.max(...lines.map((l) => e(l.name).length));
  const out = [st.bold(`Services${p.serviceManager === "none" ? "" : ` (${p.serviceManager})`}:`)];
  for (const l of lines) {
    const why = l.why === null ? "" : `  ${l.action === "skip" ? "left on old code: " : ""}${e(l.why)}`;
    out.push(`  ${st.mark(ACTION_MARK[l.action])} ${l.why === null ? e(l.name) : e(l.name).padEnd(width)}${why}`);
  }
  if (p.services.unchanged.length > 0) out.push(st.dim(`      ${p.services.unchanged.length} unchanged`));
  if (p.serviceManager === "none") out.push(st.dim("      (no service manager: service steps are recorded, not executed)"));
  return out;
};

/** The boot default before the plan: the generation the profile link names. */
const defaultBefore = (p: Plan.Plan): number | null => {
  const m = /-([0-9]+)-link$/.exec(p.preconditions.profileTarget ?? "");
  return m === null ? null : Number(m[1]);
};

const list = (numbers: ReadonlyArray<number>, st: Style.Style): string =>
  numbers.length <= 12 ? numbers.join(", ") : `${numbers.slice(0, 10).join(", ")}, ${st.symbol.ellipsis} (${numbers.length} entries)`;

const bootSection = (p: Plan.Plan, st: Style.Style): ReadonlyArray<string> => {
  const files = p.steps.filter((s): s is Extract<Step.Step, { _tag: "WriteFile" }> => s._tag === "WriteFile" && s.path !== RestartDebt.PATH);
  if (p.boot === null) return p.mode === "test" && p.operation._tag !== "Delete" && p.operation._tag !== "Restart" ? [st.bold("Boot menu:"), `  ${st.mark("same")} unchanged (--mode test: the boot default stays)`] : [];
  const before = defaultBefore(p);
  const moves = before !== null && before !== p.boot.default;
  const out = [st.bold(`Boot menu${files.length === 0 ? "" : ` (${files.map((f) => e(f.path)).join(", ")})`}:`)];
  const where = moves ? " (after the commit)" : "";
  out.push(`  ${st.mark(moves ? "change" : "same")} default ${moves ? `generation ${before} ${st.symbol.arrow} ${p.boot.default}` : `generation ${p.boot.default}`}${where}; entries ${list(p.boot.entries, st)}`);
  if (p.delete.length > 0) out.push(`  ${st.mark("remove")} ${p.delete.length === 1 ? "entry" : "entries"} of generation${p.delete.length === 1 ? "" : "s"} ${ranges(p.delete)}`);
  if (p.operation._tag === "Add" && p.to !== null) out.push(`  ${st.mark("add")} entry of generation ${p.to} (under "Older generations")`);
  return out;
};

/** "1 service left on old code (pinned)", from the record the plan writes. */
const debtText = (content: string): string => {
  const entries = RestartDebt.fromText(content);
  if (entries._tag === "Left") return "rewrite the record";
  const names = entries.right.map((d) => e(d.service));
  return `${plural(names.length, "service")} left on old code (${names.join(", ")})`;
};

const systemSection = (p: Plan.Plan, st: Style.Style): ReadonlyArray<string> => {
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

const summaryLine = (p: Plan.Plan): string => {
  const parts = [...PlanServices.counts(p.services)];
  if (p.delete.length > 0) parts.push(`${plural(p.delete.length, "generation")} to delete`);
  if (p.operation._tag === "Add") parts.push("1 generation to add");
  return parts.length === 0 ? "no service changes" : parts.join(", ");
};

const numbered = (steps: ReadonlyArray<Step.Step>): ReadonlyArray<string> => steps.map((s, i) => `  ${String(i + 1).padStart(3)}. ${e(Step.describe(s))}`);

export const plan = (p: Plan.Plan, st: Style.Style, options: Options): string => {
  const lines = [st.bold(`Plan: ${header(p)}`)];
  if (p.running !== p.from && p.running !== null) lines.push(`  (generation ${p.running} is running)`);
  if (Plan.isEmpty(p)) {
    lines.push("Nothing to do.", ...p.warnings.map((w) => `warning: ${e(w)}`));
    return lines.join("\n");
  }
  lines.push(...serviceSection(p, st), ...bootSection(p, st), ...systemSection(p, st));
  lines.push("", st.bold(`${summaryLine(p)}.`));
  const count = plural(p.steps.length, "step");
  const hint = options.steps ? "" : options.stepsHint ? " (list them with --steps)" : "";
  const back = p.operation._tag === "Restart" ? "the code each service ran before" : p.running === null ? "the state before" : `generation ${p.running}`;
  lines.push(p.revert.length === 0 ? `${count}${hint}.` : `${count}${hint}; if one fails before the commit, ${plural(p.revert.length, "revert step")} bring back ${back}.`);
  if (options.steps) {
    lines.push(st.bold("Steps:"), ...numbered(p.steps));
    if (p.revert.length > 0) lines.push(st.bold("If a step before the commit fails, these steps put the running system back:"), ...numbered(p.revert));
  }
  lines.push(...p.warnings.map((w) => `${st.tint("skip", "warning:")} ${e(w)}`));
  return lines.join("\n");
};

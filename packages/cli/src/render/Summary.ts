/**
 * A plan at a glance, as `plan` and `apply` print it: one marked line per service that changes,
 * with the reason (PlanServices.ts), the boot menu and the system's links and records in the same
 * style, one summary line ("3 to stop, 4 to start, 1 to reload"), and what a failure would revert.
 * The numbered step list follows only when asked for (`plan --steps`; `--json` always has it).
 * Every value from a manifest or a link is escaped before it is styled.
 */
import { Plan, StateSteps, Step } from "@switchyard/model";
import * as Escape from "./Escape.js";
import * as PlanSections from "./PlanSections.js";
import * as PlanState from "./PlanState.js";
import * as PlanServices from "./PlanServices.js";
import * as Style from "./Style.js";

const e = Escape.line;

export interface Options {
  /** The numbered steps and revert steps. */
  readonly steps: boolean;
  /** Say that `--steps` lists them (only `plan` takes it). */
  readonly stepsHint: boolean;
}

export const ranges = PlanSections.ranges;

const plural = PlanSections.plural;

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
    case "Bless":
      return op.verdict === "good" ? `bless generation ${p.to ?? "?"}: make it the boot default` : `give up the trial of generation ${p.boot?.trial?.generation ?? "?"}`;
    case "SnapshotSave":
      return `snapshot ${op.services.length === 0 ? "every service with state" : op.services.map(e).join(", ")} of generation ${p.to ?? "?"}`;
    case "SnapshotRestore":
      return `restore snapshot ${e(op.id)} into generation ${p.to ?? "?"}`;
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
  const out = [st.bold(`Services${p.settings.serviceManager === "none" ? "" : ` (${p.settings.serviceManager})`}:`)];
  for (const l of lines) {
    const why = l.why === null ? "" : `  ${l.action === "skip" ? "left on old code: " : ""}${e(l.why)}`;
    out.push(`  ${st.mark(ACTION_MARK[l.action])} ${l.why === null ? e(l.name) : e(l.name).padEnd(width)}${why}`);
  }
  if (p.services.unchanged.length > 0) out.push(st.dim(`      ${p.services.unchanged.length} unchanged`));
  const state = p.steps.some(StateSteps.isStateStep) ? " and state" : "";
  if (p.settings.serviceManager === "none") out.push(st.dim(`      (no service manager: service${state} steps are recorded, not executed)`));
  return out;
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
  lines.push(...serviceSection(p, st), ...PlanState.section(p, st), ...PlanSections.boot(p, st), ...PlanSections.system(p, st));
  lines.push("", st.bold(`${summaryLine(p)}.`));
  const count = plural(p.steps.length, "step");
  const hint = options.steps ? "" : options.stepsHint ? " (list them with --steps)" : "";
  const back = p.operation._tag === "Restart" ? "the code each service ran before" : p.running === null ? "the state before" : `generation ${p.running}`;
  lines.push(p.revert.length === 0 ? `${count}${hint}.` : `${count}${hint}; if one fails before the commit, ${plural(p.revert.length, "revert step")} ${p.revert.length === 1 ? "brings" : "bring"} back ${back}.`);
  if (p.migrations.length > 0) lines.push(`Then ${plural(p.migrations.length, "migration")} in dependency order, independent ones in parallel: ${e(p.migrations.map((m) => m.id).join(", "))}.`);
  if (options.steps) {
    lines.push(st.bold("Steps:"), ...numbered(p.steps));
    if (p.revert.length > 0) lines.push(st.bold("If a step before the commit fails, these steps put the running system back:"), ...numbered(p.revert));
  }
  lines.push(...p.warnings.map((w) => `${st.tint("skip", "warning:")} ${e(w)}`));
  return lines.join("\n");
};

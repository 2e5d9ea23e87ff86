/**
 * Text for people: the generation table, a generation's description, a plan. Every line is escaped
 * (Escape.ts): labels, paths and service names come from manifests and links.
 */
import { BootConfig, Manifest, Plan, RestartDebt, Step, SystemFormat, Trial, type World } from "@switchyard/model";
import * as Escape from "./Escape.js";

export const marks = (world: World.World, g: World.Generation): ReadonlyArray<string> => {
  const m: Array<string> = [];
  if (g.number === world.current) m.push("current");
  if (g.number === world.running.generation) m.push("running");
  if (g.number === world.booted.generation) m.push("booted");
  if (world.pins?.includes(g.number) === true) m.push("pinned");
  return m;
};

export const labelOf = (g: World.Generation): string => (g.header._tag === "Valid" ? g.header.header.label : "(invalid manifest)");

export const created = (g: World.Generation): string => BootConfig.formatStamp(g.createdMs, g.utcOffsetMinutes);

export const table = (world: World.World, gens: ReadonlyArray<World.Generation>): string => {
  // Escaped before measuring, so an escaped label still lines up.
  const rows = gens.map((g) => [String(g.number), created(g), labelOf(g), marks(world, g).join(", ")].map(Escape.line));
  const header = ["Generation", "Created", "Label", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === 0 ? c.padStart(widths[0] as number) : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return Escape.lines([line(header), ...rows.map(line)]);
};

export const description = (world: World.World, g: World.Generation): string => {
  const lines = [`Generation ${g.number}${marks(world, g).length > 0 ? ` (${marks(world, g).join(", ")})` : ""}`];
  lines.push(`  created   ${created(g)}`, `  system    ${g.system}`);
  if (g.manifest._tag === "Invalid") {
    lines.push(`  manifest  invalid: ${Manifest.errorLine(g.manifest.error)}`);
    return Escape.lines(lines);
  }
  const m = g.manifest.manifest;
  lines.push(`  label     ${m.label}`);
  if (g.format !== undefined) lines.push(`  format    ${SystemFormat.describe(g.format)}${g.specialisations === undefined ? "" : `; specialisations ${g.specialisations.join(", ")}`}`);
  lines.push(`  boot      linux ${[m.boot.kernel, ...m.boot.params, `${BootConfig.SYSTEM_PARAM}=${g.system}`].join(" ")}`);
  if (m.boot.initrd !== null) lines.push(`            initrd ${m.boot.initrd}`);
  lines.push(`  activate  ${m.activate ?? "(none)"}`);
  if (g.format !== undefined) lines.push("  services  not diffed: its own activation starts them");
  else if (m.services.length === 0) lines.push("  services  (none)");
  else {
    lines.push(`  services  ${m.services.length}`);
    for (const s of m.services) {
      const needs = s.requires.length > 0 ? ` (requires ${s.requires.join(", ")})` : "";
      lines.push(`    ${s.name}${needs}: ${s.start.join(" ")}`);
    }
  }
  lines.push(...debtLines(world));
  const trial = Trial.of(world);
  if (trial !== null && trial.state !== "blessed") lines.push(`  trial     ${Trial.describe(trial)}`);
  else if (trial !== null && g.number === world.current) lines.push("  trial     blessed: boots every time; no trial pending");
  if (world.running.generation !== null && world.running.generation !== g.number) {
    lines.push(`  note      generation ${world.running.generation} is running (after 'apply --mode test'); it becomes this one on the next switch or boot`);
  }
  return Escape.lines(lines);
};

/** Services still running old code, and why; empty when nothing is owed. */
export const debtLines = (world: World.World): ReadonlyArray<string> => {
  const debt = RestartDebt.standing(world);
  if (debt.length === 0) return [];
  return [
    `  restart debt (${debt.length}): restart these to run the current code`,
    ...debt.map((d) => `    ${d.service}: runs generation ${d.runs.generation ?? "?"}'s code; ${d.reason}`),
  ];
};

const bootLines = (b: Plan.BootSummary): ReadonlyArray<string> => {
  const lines = [`Boot menu: default ${b.default}; entries ${b.entries.join(", ")}${b.omitted !== undefined && b.omitted > 0 ? ` (${b.omitted} older left out)` : ""}`];
  const t = b.trial;
  if (t !== undefined && t !== null) {
    const times = t.attempts === null ? "with the attempts it has left" : t.attempts === 1 ? "once" : `up to ${t.attempts} times`;
    lines.push(`Trial: generation ${t.generation} boots next, ${times}; unless 'switchyard bless' runs on it, generation ${b.default} boots after that`);
  }
  return lines;
};

const operationText = (plan: Plan.Plan): string => {
  const op = plan.operation;
  switch (op._tag) {
    case "Switch":
    case "Rollback":
      return `${op._tag === "Rollback" ? "roll back" : "switch"} from generation ${plan.from ?? "(none)"} to ${plan.to ?? "(none)"} (mode ${plan.mode})`;
    case "Delete":
      return `delete generation${plan.delete.length === 1 ? "" : "s"} ${plan.delete.join(", ")}`;
    case "Add":
      return `add ${op.system} as generation ${plan.to ?? "?"}`;
    case "Bless":
      return op.verdict === "good" ? `bless generation ${plan.to ?? "?"}: make it the boot default` : `give up the trial of generation ${plan.boot?.trial?.generation ?? "?"}`;
  }
};

export const plan = (p: Plan.Plan): string => {
  const lines = [`Plan: ${operationText(p)}`];
  if (p.running !== p.from && p.running !== null) lines.push(`  (generation ${p.running} is running)`);
  const s = p.services;
  const groups: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["stop", s.stop],
    ["start", s.start],
    ["restart", s.restart],
    ["reload", s.reload],
    ["NOT restarted (changed)", s.skip],
  ];
  const shown = groups.filter(([, names]) => names.length > 0);
  if (shown.length > 0) {
    lines.push("Services:");
    for (const [title, names] of shown) lines.push(`  ${title}: ${names.join(", ")}`);
    if (s.unchanged.length > 0) lines.push(`  unchanged: ${s.unchanged.length}`);
    if (p.settings.serviceManager === "none") lines.push("  (no service manager: service steps are recorded, not executed)");
  }
  if (p.boot !== null) lines.push(...bootLines(p.boot));
  if (Plan.isEmpty(p)) lines.push("Nothing to do.");
  else {
    lines.push("Steps:");
    p.steps.forEach((step, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${Step.describe(step)}`));
  }
  if (p.revert.length > 0) {
    lines.push("If a step before the commit fails, these steps put the running system back:");
    p.revert.forEach((step, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${Step.describe(step)}`));
  }
  for (const w of p.warnings) lines.push(`warning: ${w}`);
  return Escape.lines(lines);
};

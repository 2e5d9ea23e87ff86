/**
 * Text for people: the generation table, a generation's description, a plan. Every line is escaped
 * (Escape.ts): labels, paths and service names come from manifests and links.
 */
import { BootConfig, Manifest, Plan, RestartDebt, Step, type World } from "@switchyard/model";
import * as Escape from "./Escape.js";

/** What the marks of a generation (current, running, booted) are read from. */
export type Marked = Pick<World.World, "current" | "running" | "booted">;

export const marks = (world: Marked, g: World.Generation): ReadonlyArray<string> => {
  const m: Array<string> = [];
  if (g.number === world.current) m.push("current");
  if (g.number === world.running.generation) m.push("running");
  if (g.number === world.booted.generation) m.push("booted");
  return m;
};

export const labelOf = (g: World.Generation): string => (g.header._tag === "Valid" ? g.header.header.label : "(invalid manifest)");

export const created = (g: World.Generation): string => BootConfig.formatStamp(g.createdMs, g.utcOffsetMinutes);

export const table = (world: Marked, gens: ReadonlyArray<World.Generation>): string => {
  // Two passes over the rows, no row objects: a profile may have 10,000 of them. Numbers, dates and
  // marks need no escaping; labels are escaped before measuring, so an escaped label still lines up.
  const header = ["Generation", "Created", "Label"] as const;
  const labels: Array<string> = new Array(gens.length);
  const stamps: Array<string> = new Array(gens.length);
  let w0 = header[0].length;
  let w1 = header[1].length;
  let w2 = header[2].length;
  for (let i = 0; i < gens.length; i++) {
    const g = gens[i] as World.Generation;
    const label = Escape.line(labelOf(g));
    const stamp = created(g);
    labels[i] = label;
    stamps[i] = stamp;
    const digits = String(g.number).length;
    if (digits > w0) w0 = digits;
    if (stamp.length > w1) w1 = stamp.length;
    if (label.length > w2) w2 = label.length;
  }
  const out: Array<string> = [`${header[0].padStart(w0)}  ${header[1].padEnd(w1)}  ${header[2]}`];
  for (let i = 0; i < gens.length; i++) {
    const g = gens[i] as World.Generation;
    const marked = g.number === world.current || g.number === world.running.generation || g.number === world.booted.generation;
    const start = `${String(g.number).padStart(w0)}  ${(stamps[i] as string).padEnd(w1)}  `;
    out.push(marked ? `${start}${(labels[i] as string).padEnd(w2)}  ${marks(world, g).join(", ")}` : `${start}${labels[i] as string}`.trimEnd());
  }
  return out.join("\n");
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
  lines.push(`  boot      linux ${[m.boot.kernel, ...m.boot.params, `${BootConfig.SYSTEM_PARAM}=${g.system}`].join(" ")}`);
  if (m.boot.initrd !== null) lines.push(`            initrd ${m.boot.initrd}`);
  lines.push(`  activate  ${m.activate ?? "(none)"}`);
  if (m.services.length === 0) lines.push("  services  (none)");
  else {
    lines.push(`  services  ${m.services.length}`);
    for (const s of m.services) {
      const needs = s.requires.length > 0 ? ` (requires ${s.requires.join(", ")})` : "";
      lines.push(`    ${s.name}${needs}: ${s.start.join(" ")}`);
    }
  }
  lines.push(...debtLines(world));
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
  if (p.boot !== null) lines.push(`Boot menu: default ${p.boot.default}; entries ${p.boot.entries.join(", ")}`);
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

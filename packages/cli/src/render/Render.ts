/**
 * Text for people: the generation table and a generation's description (a plan: Summary.ts). Every line is escaped
 * (Escape.ts): labels, paths and service names come from manifests and links.
 */
import { BootConfig, Manifest, RestartDebt, SystemFormat, Trial, type World } from "@switchyard/model";
import * as Escape from "./Escape.js";
import * as Stamp from "./Stamp.js";

/** What the marks of a generation (current, running, booted, pinned) are read from. */
export type Marked = Pick<World.World, "current" | "running" | "booted" | "pins">;

export const marks = (world: Marked, g: World.Generation): ReadonlyArray<string> => {
  const m: Array<string> = [];
  if (g.number === world.current) m.push("current");
  if (g.number === world.running.generation) m.push("running");
  if (g.number === world.booted.generation) m.push("booted");
  if (world.pins?.includes(g.number) === true) m.push("pinned");
  return m;
};

export const labelOf = (g: World.Generation): string => (g.header._tag === "Valid" ? g.header.header.label : "(invalid manifest)");

const stamps = Stamp.formatter();

/** Local time to the second, as nix-env lists generations: "2026-11-30 14:02:11". */
export const created = (g: World.Generation): string => stamps.seconds(g.createdMs + g.utcOffsetMinutes * 60_000);

/** A path inside the generation's own system directory is shown relative to it. */
const within = (g: World.Generation, path: string): string => (path.startsWith(`${g.system}/`) ? path.slice(g.system.length + 1) : path);

/** `--long`: the boot entry and the number of services (which decodes the whole manifest). */
const longCells = (g: World.Generation): ReadonlyArray<string> => {
  if (g.header._tag === "Invalid") return ["-", "-", "-"];
  const services = g.manifest._tag === "Valid" ? String(g.manifest.manifest.services.length) : "invalid";
  return [services, within(g, g.header.header.boot.kernel), g.header.header.boot.params.join(" ")];
};

/** `--long`: the general table, with a row object per generation. */
const longTable = (world: Marked, gens: ReadonlyArray<World.Generation>): string => {
  // Escaped before measuring, so an escaped label still lines up.
  const rows = gens.map((g) => [String(g.number), created(g), labelOf(g), ...longCells(g), marks(world, g).join(", ")].map(Escape.line));
  const header = ["Generation", "Created", "Label", "Services", "Kernel", "Parameters", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === 0 ? c.padStart(widths[0] as number) : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return `${Escape.lines([line(header), ...rows.map(line)])}\n`;
};

/** What `trimEnd` removes (white space and line terminators), at the end. */
const TRAILING_BLANK = /\s$/;

/** The generation table, each line ended by a newline, given to `emit` a line at a time (see `Pieces`). */
export const table = (world: Marked, gens: ReadonlyArray<World.Generation>, long: boolean, emit: (text: string) => void): void => {
  if (long) return emit(longTable(world, gens));
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
  emit(`${header[0].padStart(w0)}  ${header[1].padEnd(w1)}  ${header[2]}\n`);
  for (let i = 0; i < gens.length; i++) {
    const g = gens[i] as World.Generation;
    const marked = g.number === world.current || g.number === world.running.generation || g.number === world.booted.generation || world.pins?.includes(g.number) === true;
    const start = `${String(g.number).padStart(w0)}  ${(stamps[i] as string).padEnd(w1)}  `;
    const label = labels[i] as string;
    // Trimmed only when it can end in blanks: trimming copies the whole line (a cons string) again.
    if (marked) emit(`${start}${label.padEnd(w2)}  ${marks(world, g).join(", ")}\n`);
    else emit(label === "" || TRAILING_BLANK.test(label) ? `${`${start}${label}`.trimEnd()}\n` : `${start}${label}\n`);
  }
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
  if (g.number !== world.current) return Escape.lines(lines);
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

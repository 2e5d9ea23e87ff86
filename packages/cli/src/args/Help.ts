/**
 * The help texts, generated from the command and option tables: the overview (`switchyard
 * --help`) and each command's usage, arguments, options and examples (`switchyard help apply`,
 * `switchyard apply --help`). Nothing here is written twice, so the help cannot drift from what
 * the parser accepts.
 */
import * as Commands from "./Commands.js";
import * as Options from "./Options.js";

export const TITLE = "switch a system between generations, and roll back, in one previewable step";

export const EXIT_CODES = `Exit codes: 0 success, 1 failed or nothing matched, 2 invalid input or usage, 3 stale plan,
4 locked, 5 an interrupted apply must be recovered first, 130 cancelled at the prompt.`;

/** Two columns, the first padded to the widest entry (at most `cap` wide; longer ones keep their own line). */
const columns = (rows: ReadonlyArray<readonly [string, string]>, indent = "  ", cap = 34): string => {
  const width = Math.min(cap, Math.max(0, ...rows.map(([left]) => left.length)));
  return rows
    .map(([left, right]) => (left.length > width ? `${indent}${left}\n${indent}${" ".repeat(width)}  ${right}` : `${indent}${left.padEnd(width)}  ${right}`))
    .join("\n");
};

const optionLeft = (o: Options.Spec): string => {
  const value = o.kind._tag === "Flag" ? "" : o.kind._tag === "Choice" ? ` ${o.kind.choices.join("|")}` : ` ${o.kind.metavar}`;
  return `${o.short === null ? "" : `-${o.short}, `}--${o.name}${value}`;
};

/** "how long … (1 to 86400 seconds; default 5, or serviceTimeout in the config)" */
const optionRight = (o: Options.Spec): string => {
  const notes = [
    o.kind._tag === "Whole" ? `${o.kind.min} to ${o.kind.max} ${o.kind.unit}` : null,
    o.default === null ? null : `default ${o.default}${o.config === undefined ? "" : `, or ${o.config} in the config`}`,
  ].filter((n) => n !== null);
  return notes.length === 0 ? o.help : `${o.help} (${notes.join("; ")})`;
};

const optionRows = (specs: ReadonlyArray<Options.Spec>) => specs.map((o) => [optionLeft(o), optionRight(o)] as const);

const aliases = (c: Commands.Command): string => (c.aliases === undefined ? "" : ` (also: ${c.aliases.join(", ")})`);

const synopsis = (c: Commands.Command): ReadonlyArray<string> => c.usage.map((u) => `switchyard ${c.name}${u === "" ? "" : ` ${u}`}`);

export const overview = (version: string): string => {
  const commands = Commands.COMMANDS.map((c) => [`${[c.name, ...(c.aliases ?? [])].join(", ")}${c.usage[0] === "" ? "" : ` ${c.usage[0]}`}`, c.summary] as const);
  const every = Options.OPTIONS.filter((o) => o.commands === "every");
  return `switchyard ${version} — ${TITLE}

Usage: switchyard COMMAND [ARGUMENTS] [OPTIONS]

Commands:
${columns(commands)}

Operations (plan, apply):
${columns([
  ["switch SPEC", "SPEC is N (a generation), +K or -K (K generations newer or older)"],
  ["rollback", "the highest generation below the current one"],
  ["delete [PATTERN]", "remove generation links (default 'old': all but the current one)"],
])}

Patterns (list, delete):
  N   N,M,...   N..M   N..   ..M   Ns|Nh|Nd|Nw|Nm (m = 30 days)   +N (delete: keep N)   old

Options of every command:
${columns(optionRows(every))}

${EXIT_CODES}
Run 'switchyard help COMMAND' for a command's options and examples.
`;
};

export const command = (name: Commands.Name): string => {
  const c = Commands.find(name);
  if (c === undefined) return "";
  const own = Options.of(name).filter((o) => o.commands !== "every");
  const every = Options.OPTIONS.filter((o) => o.commands === "every");
  const sections = [
    `switchyard ${c.name} — ${c.summary}${aliases(c)}`,
    `Usage:\n${synopsis(c)
      .map((s) => `  ${s} [OPTIONS]`)
      .join("\n")}`,
    c.arguments.length === 0 ? null : `Arguments:\n${columns(c.arguments.map((a) => [a.name, a.help] as const))}`,
    own.length === 0 ? null : `Options:\n${columns(optionRows(own))}`,
    `Options of every command:\n${columns(optionRows(every))}`,
    `Examples:\n${c.examples.map(([example, what]) => `  ${example}\n      ${what}`).join("\n")}`,
  ];
  return `${sections.filter((s) => s !== null).join("\n\n")}\n`;
};

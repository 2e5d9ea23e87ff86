/**
 * The man page `switchyard.1`, generated from the command and option tables (like the help and
 * the completion scripts), so it documents exactly what the parser accepts. `scripts/man.mjs`
 * writes it when the package is built. Plain roff with the `man` macros, ASCII only (anything else
 * is written as a groff `\[uXXXX]` escape), and no date, so the same tables give the same page.
 */
import * as Commands from "./Commands.js";
import * as Help from "./Help.js";
import * as Operation from "./Operation.js";
import * as Options from "./Options.js";

/** Text for roff: backslashes and hyphens escaped, control words at a line start disarmed. */
const r = (text: string): string =>
  text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/[^\u0000-\u007f]/g, (c) => `\\[u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}]`)
    .replace(/^([.'])/gm, "\\&$1");

const optionHead = (o: Options.Spec): string => {
  const value = o.kind._tag === "Flag" ? "" : ` \\fI${r(o.kind._tag === "Choice" ? o.kind.choices.join("|") : o.kind.metavar)}\\fR`;
  return `.TP\n\\fB${o.short === null ? "" : `\\-${o.short}\\fR, \\fB`}\\-\\-${r(o.name)}\\fR${value}`;
};

const optionBody = (o: Options.Spec): string => {
  const notes = [
    o.kind._tag === "Whole" ? `${o.kind.min} to ${o.kind.max} ${o.kind.unit}` : null,
    o.default === null ? null : `default ${o.default}${o.config === undefined ? "" : `, or ${o.config} in the config file`}`,
    `commands: ${o.commands === "every" ? "every" : o.commands.join(", ")}`,
  ].filter((n) => n !== null);
  return r(`${o.help} (${notes.join("; ")}).`);
};

const command = (c: Commands.Command): string => {
  const lines = [`.SS ${r([c.name, ...(c.aliases ?? [])].join(", "))}`];
  for (const u of c.usage) lines.push(`\\fBswitchyard ${r(c.name)}\\fR${u === "" ? "" : ` \\fI${r(u)}\\fR`}`, ".br");
  lines.push(".PP", `${r(c.summary.charAt(0).toUpperCase() + c.summary.slice(1))}.`);
  for (const a of c.arguments) lines.push(".TP", `\\fI${r(a.name)}\\fR`, r(a.help));
  const own = Options.of(c.name).filter((o) => o.commands !== "every");
  if (own.length > 0) lines.push(".PP", `Options: ${own.map((o) => `\\fB\\-\\-${r(o.name)}\\fR`).join(", ")}.`);
  lines.push(".PP", "Examples:", ".RS");
  for (const [example, what] of c.examples) lines.push(".PP", `\\fB${r(example)}\\fR`, ".br", r(what));
  lines.push(".RE");
  return lines.join("\n");
};

export const page = (version: string): string =>
  `${[
    `.TH SWITCHYARD 1 "" "switchyard ${r(version)}" "User Commands"`,
    ".SH NAME",
    `switchyard \\- ${r(Help.TITLE)}`,
    ".SH SYNOPSIS",
    "\\fBswitchyard\\fR \\fICOMMAND\\fR [\\fIARGUMENTS\\fR] [\\fIOPTIONS\\fR]",
    ".SH DESCRIPTION",
    r(
      "Switchyard switches a declarative system between generations (system-N-link symlinks to immutable system directories, each with a manifest.json) and rolls it back. It computes the whole transition as a plan first, shows it, and carries it out under a lock with a journal, reverting on failure; 'recover' finishes or reverts an interrupted apply.",
    ),
    ".SH COMMANDS",
    ...Commands.COMMANDS.map(command),
    ".SH OPERATIONS",
    r(`The OPERATION of plan and apply: ${Operation.SYNOPSIS}. SPEC is N (a generation), +K or -K (K generations newer or older than the current one); rollback goes to the highest generation below the current one; delete removes generation links (default 'old': all but the current one).`),
    ".SH PATTERNS",
    r("N, N,M,..., N..M, N.., ..M, a duration Ns|Nh|Nd|Nw|Nm (m = 30 days), and for delete also +N (keep the newest N) and old."),
    ".SH OPTIONS",
    r("Options may come before or after the command; -3 and +2 are generation specs, not options; -- ends the options."),
    ...Options.OPTIONS.map((o) => `${optionHead(o)}\n${optionBody(o)}`),
    ".SH EXIT STATUS",
    r(Help.EXIT_CODES.replace(/\n/g, " ")),
    ".SH ENVIRONMENT",
    ".TP\n.B NO_COLOR\nWhen set (and not empty), no colours, even on a terminal.",
    ".TP\n.B FORCE_COLOR\nColours even when the output is not a terminal (0 or false: none).",
    `.TP\n\\fBLC_ALL\\fR, \\fBLC_CTYPE\\fR, \\fBLANG\\fR\n${r("The first one set decides whether the output uses Unicode symbols (a UTF-8 locale) or plain ASCII.")}`,
    ".SH FILES",
    ...[
      ["/etc/switchyard/config.json", "settings: profile, bootloader, timeout, service manager, scan directory, service timeouts"],
      ["/var/lib/switchyard/profiles/system", "the system profile and its system-N-link generations"],
      ["/var/lib/switchyard/restart-debt.json", "services left running old code by a switch"],
      ["/boot/grub/grub.cfg", "the boot menu switchyard writes"],
    ].map(([file, what]) => `.TP\n${r(file as string)}\n${r(what as string)}`),
    ".SH SEE ALSO",
    r("switchyard help COMMAND, and the reference in docs/cli.md of the source distribution."),
  ].join("\n")}\n`;

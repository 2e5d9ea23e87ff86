/**
 * Every command: what it does, its arguments, how its arguments are checked and a few examples.
 * Together with the option table (Options.ts) this is all the parser and the help know; both are
 * generated from these two tables, so a command's help is exactly what it accepts.
 */
import * as Operation from "./Operation.js";
import * as Suggest from "./Suggest.js";

export const NAMES = ["list", "describe", "add", "plan", "apply", "recover", "status", "supervisor", "bless", "pin", "unpin", "help"] as const;
export type Name = (typeof NAMES)[number];

export const SUPERVISOR_ACTIONS = ["start", "stop", "status"] as const;

export interface Argument {
  readonly name: string;
  readonly help: string;
}

export interface Command {
  readonly name: Name;
  readonly summary: string;
  /** Synopsis lines after `switchyard NAME`. */
  readonly usage: ReadonlyArray<string>;
  readonly arguments: ReadonlyArray<Argument>;
  /**
   * Why the words after the command name are wrong, or null; `has` tells which options were given,
   * `value` what a valued one was given as (already checked against its table entry).
   */
  readonly check: (words: ReadonlyArray<string>, has: (option: string) => boolean, value: (option: string) => string | undefined) => string | null;
  readonly examples: ReadonlyArray<readonly [command: string, what: string]>;
}

const atMost =
  (n: number, message: string) =>
  (words: ReadonlyArray<string>): string | null =>
    words.length > n ? message : null;

const OPERATION: Argument = { name: "OPERATION", help: `${Operation.SYNOPSIS}; SPEC is N, +K or -K` };
const PATTERN: Argument = { name: "PATTERN", help: "N  N,M,…  N..M  N..  ..M  Ns|Nh|Nd|Nw|Nm  (delete also: +N, old)" };

const operation = (words: ReadonlyArray<string>, has: (option: string) => boolean, value: (option: string) => string | undefined): string | null => {
  const read = Operation.read(words);
  if (read._tag === "Invalid") return read.message;
  if (read.operation._tag === "Delete") {
    if (has("mode")) return "--mode does not apply to delete";
    if (has("try")) return "--try does not apply to delete";
  }
  const mode = value("mode");
  return has("try") && mode !== undefined && mode !== "try" ? `--try N is a trial boot; it does not go with --mode ${mode}` : null;
};

/** `pin N` and `unpin N`: one generation number. */
const generation =
  (name: string) =>
  (words: ReadonlyArray<string>): string | null =>
    words.length === 1 && /^[1-9][0-9]*$/.test(words[0] as string) ? null : `${name} takes one generation number N (see 'switchyard list')`;

export const COMMANDS: ReadonlyArray<Command> = [
  {
    name: "list",
    summary: "the generations, or those a pattern selects",
    usage: ["[PATTERN]"],
    arguments: [PATTERN],
    check: atMost(1, "list takes at most one PATTERN"),
    examples: [["switchyard list", "every generation, marking current, running and booted"], ["switchyard list 7d --json", "those created in the last 7 days, as JSON"]],
  },
  {
    name: "describe",
    summary: "the current generation: boot entry, activation script, services",
    usage: [""],
    arguments: [],
    check: atMost(0, "describe takes no arguments"),
    examples: [["switchyard describe", "the current generation in words"], ["switchyard describe --json", "the same, with the normalised service records"]],
  },
  {
    name: "add",
    summary: "register a built system directory as the next generation",
    usage: ["SYSTEM_DIR"],
    arguments: [{ name: "SYSTEM_DIR", help: "a system directory inside the root (with manifest.json)" }],
    check: (words) => (words.length === 1 ? null : "add takes one SYSTEM_DIR"),
    examples: [["switchyard add /store/abc-os-4", "make it generation max+1 (it is not switched to)"]],
  },
  {
    name: "plan",
    summary: "compute the whole transition and show it, without doing it",
    usage: ["OPERATION"],
    arguments: [OPERATION, PATTERN],
    check: operation,
    examples: [
      ["switchyard plan rollback", "what rolling back would do, step by step"],
      ["switchyard plan switch 7 --mode boot --out p.json", "save a plan to carry out later"],
      ["switchyard plan delete 30d --json", "which generations a clean-up would remove, as JSON"],
    ],
  },
  {
    name: "apply",
    summary: "carry out a transition (asking first), or a saved plan",
    usage: ["OPERATION", "--plan FILE"],
    arguments: [OPERATION, PATTERN],
    check: (words, has, value) => (has("plan") ? (words.length > 0 ? "give either OPERATION or --plan FILE, not both" : null) : operation(words, has, value)),
    examples: [
      ["switchyard apply rollback", "roll back to the previous generation, asking first"],
      ["switchyard apply switch +1 --try 3 --yes", "boot the next generation on trial (3 boots at most) until 'bless' keeps it"],
      ["switchyard apply --plan p.json --yes", "carry out a saved plan if the machine still matches it"],
    ],
  },
  {
    name: "recover",
    summary: "finish or revert an interrupted apply",
    usage: [""],
    arguments: [],
    check: atMost(0, "recover takes no arguments"),
    examples: [["switchyard recover", "finish (past the commit point) or revert the interrupted apply"]],
  },
  {
    name: "status",
    summary: "the generations and every service: up or down, revision, current or not",
    usage: [""],
    arguments: [],
    check: atMost(0, "status takes no arguments"),
    examples: [["switchyard status --service-manager s6", "which services run which generation's code"], ["switchyard status --json", "the same as JSON"]],
  },
  {
    name: "supervisor",
    summary: "run switchyard's own s6-svscan on the scan directory",
    usage: ["start|stop|status"],
    arguments: [{ name: "ACTION", help: "start: spawn it; stop: take it and its services down; status: is one listening" }],
    check: (words) => (words.length === 1 && SUPERVISOR_ACTIONS.some((a) => a === words[0]) ? null : "supervisor takes one ACTION: start, stop or status"),
    examples: [["switchyard supervisor start", "start one (it says so when one already listens)"], ["switchyard supervisor status --json", "whether one listens, its pid and services"]],
  },
  {
    name: "bless",
    summary: "keep the generation booted on trial as the boot default (--bad: give up on it)",
    usage: ["", "--bad"],
    arguments: [],
    check: atMost(0, "bless takes no arguments"),
    examples: [
      ["switchyard bless", "run by the booted system once it is healthy: the trial becomes the default"],
      ["switchyard bless --bad", "give up on the trial: the next boot falls back to the default"],
    ],
  },
  {
    name: "pin",
    summary: "protect a generation from every delete",
    usage: ["N"],
    arguments: [{ name: "N", help: "a generation number (see 'switchyard list')" }],
    check: generation("pin"),
    examples: [["switchyard pin 7", "no delete pattern removes generation 7 until it is unpinned"]],
  },
  {
    name: "unpin",
    summary: "stop protecting a generation from delete",
    usage: ["N"],
    arguments: [{ name: "N", help: "a pinned generation number" }],
    check: generation("unpin"),
    examples: [["switchyard unpin 7", "generation 7 may be deleted again"]],
  },
  {
    name: "help",
    summary: "the overview, or one command's usage, options and examples",
    usage: ["[COMMAND]"],
    arguments: [{ name: "COMMAND", help: NAMES.join(", ") }],
    check: (words) => {
      if (words.length > 1) return "help takes at most one COMMAND";
      const [word] = words;
      if (word === undefined || find(word) !== undefined) return null;
      const near = Suggest.closest(word, NAMES);
      return near === null ? `unknown command '${word}'` : `unknown command '${word}'; did you mean '${near}'?`;
    },
    examples: [["switchyard help apply", "what apply takes"]],
  },
];

export const find = (name: string): Command | undefined => COMMANDS.find((c) => c.name === name);

/**
 * Every command: what it does, its arguments, how its arguments are checked and a few examples.
 * Together with the option table (Options.ts) this is all the parser and the help know; both are
 * generated from these two tables, so a command's help is exactly what it accepts.
 */
import * as Operation from "./Operation.js";
import * as Suggest from "./Suggest.js";

export const NAMES = ["list", "describe", "diff", "add", "plan", "apply", "check", "choose", "choices", "restart", "recover", "confirm", "migrations", "status", "supervisor", "bless", "pin", "unpin", "snapshot", "completion", "help"] as const;
export type Name = (typeof NAMES)[number];

export const SUPERVISOR_ACTIONS = ["start", "stop", "status"] as const;
export const MIGRATION_ACTIONS = ["continue", "abandon"] as const;
export const SNAPSHOT_ACTIONS = ["list", "save", "restore", "check", "forget"] as const;
/** The snapshot actions that name one snapshot. */
const SNAPSHOT_WITH_ID: ReadonlyArray<string> = ["restore", "check", "forget"];
export const SHELLS = ["bash", "zsh", "fish"] as const;
/** What the completion scripts ask the binary for while completing. */
export const COMPLETION_LISTS = ["generations", "services"] as const;

export interface Argument {
  readonly name: string;
  readonly help: string;
}

/** What the words after the command name are, for the shell completion scripts. */
export type Completes =
  | "nothing"
  | "generations"
  /** OPERATION: switch|rollback|delete, then a generation. */
  | "operation"
  | "services"
  | "directories"
  | "commands"
  | { readonly words: ReadonlyArray<string> };

export interface Command {
  readonly name: Name;
  /** Other names the command answers to. */
  readonly aliases?: ReadonlyArray<string>;
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
  readonly completes: Completes;
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

/** `--confirm-within` makes sense only for a live switch or rollback (the model refuses the rest too, after planning). */
const provisional = (words: ReadonlyArray<string>, has: (option: string) => boolean, value: (option: string) => string | undefined): string | null => {
  if (!has("confirm-within")) return null;
  const read = Operation.read(words);
  if (read._tag === "Operation" && read.operation._tag !== "Switch" && read.operation._tag !== "Rollback") return "--confirm-within applies to switch and rollback";
  const mode = has("try") ? "try" : value("mode");
  return mode === "boot" || mode === "try" ? `--confirm-within needs a live switch (--mode switch or test); --mode ${mode} changes nothing that runs` : null;
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
    completes: "generations",
    examples: [
      ["switchyard list", "every generation, marking current, running and booted"],
      ["switchyard list --long", "with each one's kernel, parameters and number of services"],
      ["switchyard list 7d --json", "those created in the last 7 days, as JSON"],
    ],
  },
  {
    name: "describe",
    aliases: ["show"],
    summary: "one generation, the current one by default: boot entry, services",
    usage: ["[N]"],
    arguments: [{ name: "N", help: "a generation: N, +K or -K (K newer or older than the current one)" }],
    check: atMost(1, "describe takes at most one generation N"),
    completes: "generations",
    examples: [
      ["switchyard describe", "the current generation in words"],
      ["switchyard show 2 --json", "generation 2, with the normalised service records"],
    ],
  },
  {
    name: "diff",
    summary: "what differs between two generations: boot entry, services, activation",
    usage: ["[A] B"],
    arguments: [
      { name: "A", help: "the generation to compare from: N, +K or -K (default: the current one)" },
      { name: "B", help: "the generation to compare with" },
    ],
    check: (words) => (words.length === 1 || words.length === 2 ? null : "diff takes one or two generations: [A] B"),
    completes: "generations",
    examples: [
      ["switchyard diff 2 3", "what a switch from generation 2 to 3 would change, service by service"],
      ["switchyard diff -1 --json", "the current generation against the one before it, as JSON"],
    ],
  },
  {
    name: "add",
    summary: "register a built system directory as the next generation",
    usage: ["SYSTEM_DIR"],
    arguments: [{ name: "SYSTEM_DIR", help: "a system directory inside the root (with manifest.json)" }],
    check: (words) => (words.length === 1 ? null : "add takes one SYSTEM_DIR"),
    completes: "directories",
    examples: [["switchyard add /store/abc-os-4", "make it generation max+1 (it is not switched to)"]],
  },
  {
    name: "plan",
    summary: "compute the whole transition and show it, without doing it",
    usage: ["OPERATION"],
    arguments: [OPERATION, PATTERN],
    check: operation,
    completes: "operation",
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
    check: (words, has, value) => (has("plan") ? (words.length > 0 ? "give either OPERATION or --plan FILE, not both" : null) : (operation(words, has, value) ?? provisional(words, has, value))),
    completes: "operation",
    examples: [
      ["switchyard apply rollback", "roll back to the previous generation, asking first"],
      ["switchyard apply switch +1 --try 3 --yes", "boot the next generation on trial (3 boots at most) until 'bless' keeps it"],
      ["switchyard apply --plan p.json --yes", "carry out a saved plan if the machine still matches it"],
    ],
  },
  {
    name: "check",
    summary: "run the checks of a switch and record their items for 'choose'",
    usage: ["[switch SPEC | rollback]"],
    arguments: [{ name: "OPERATION", help: "switch SPEC or rollback (default: a switch to the newest generation)" }],
    check: (words, has, value) => {
      if (words.length === 0) return null;
      const problem = operation(words, has, value);
      return problem === null && words[0] === "delete" ? "check takes switch SPEC or rollback; a delete runs no checks" : problem;
    },
    completes: "operation",
    examples: [
      ["switchyard check switch 7", "what the checks of a switch to generation 7 report"],
      ["switchyard check rollback --json", "the items of a rollback, as JSON"],
    ],
  },
  {
    name: "choose",
    summary: "record which resolution settles a pending item",
    usage: ["ITEM RESOLUTION"],
    arguments: [
      { name: "ITEM", help: "a pending item's id, reported by a check or by a migration of the graph under way (see 'switchyard choices')" },
      { name: "RESOLUTION", help: "one of that item's resolutions" },
    ],
    check: (words) => (words.length === 2 ? null : "choose takes ITEM RESOLUTION (see 'switchyard choices')"),
    completes: "nothing",
    examples: [["switchyard choose check:db-schema migrate", "settle the item with its 'migrate' resolution; the next apply runs its migrations"]],
  },
  {
    name: "choices",
    summary: "the pending items and the choices made for them",
    usage: [""],
    arguments: [],
    check: atMost(0, "choices takes no arguments"),
    completes: "nothing",
    examples: [["switchyard choices --json", "the pending items, the choices and the chosen migrations, as JSON"]],
  },
  {
    name: "restart",
    summary: "restart services onto the current generation's code, paying their restart debt",
    usage: ["SERVICE...", "--debt"],
    arguments: [{ name: "SERVICE", help: "a service of the current generation" }],
    check: (words, has) =>
      has("debt") ? (words.length > 0 ? "give either SERVICE... or --debt, not both" : null) : words.length === 0 ? "restart takes SERVICE... or --debt" : null,
    completes: "services",
    examples: [
      ["switchyard restart web", "restart web onto the current generation's code, asking first"],
      ["switchyard restart --debt --yes", "restart every service a switch left on old code"],
    ],
  },
  {
    name: "recover",
    summary: "finish or revert an interrupted apply",
    usage: [""],
    arguments: [],
    check: atMost(0, "recover takes no arguments"),
    completes: "nothing",
    examples: [["switchyard recover", "finish (past the commit point) or revert the interrupted apply"]],
  },
  {
    name: "confirm",
    summary: "keep a switch applied with --confirm-within: it no longer reverts by itself",
    usage: [""],
    arguments: [],
    check: atMost(0, "confirm takes no arguments"),
    completes: "nothing",
    examples: [["switchyard confirm", "keep the provisional switch (from a new login, or a health probe)"]],
  },
  {
    name: "migrations",
    summary: "the migration graph under way; continue it or abandon it",
    usage: ["[continue|abandon]"],
    arguments: [{ name: "ACTION", help: "none: show it; continue: add the migrations chosen for items migrations reported, lift a pause, retry failed migrations and run the rest; abandon: stop following it" }],
    check: (words) =>
      words.length === 0 || (words.length === 1 && MIGRATION_ACTIONS.some((a) => a === words[0])) ? null : "migrations takes at most one ACTION: continue or abandon",
    completes: { words: MIGRATION_ACTIONS },
    examples: [
      ["switchyard migrations", "each migration of the graph under way: pending, running, done or failed, and which wait for the reboot"],
      ["switchyard migrations continue --jobs 2", "go on after choosing resolutions for new items, or after fixing a failed migration"],
      ["switchyard migrations abandon", "stop following the graph; finished migrations stay done, the rest never run"],
    ],
  },
  {
    name: "status",
    summary: "the generations and every service: up or down, revision, current or not",
    usage: [""],
    arguments: [],
    check: atMost(0, "status takes no arguments"),
    completes: "nothing",
    examples: [["switchyard status --service-manager s6", "which services run which generation's code"], ["switchyard status --json", "the same as JSON"]],
  },
  {
    name: "supervisor",
    summary: "run switchyard's own s6-svscan on the scan directory",
    usage: ["start|stop|status"],
    arguments: [{ name: "ACTION", help: "start: spawn it; stop: take it and its services down; status: is one listening" }],
    check: (words) => (words.length === 1 && SUPERVISOR_ACTIONS.some((a) => a === words[0]) ? null : "supervisor takes one ACTION: start, stop or status"),
    completes: { words: SUPERVISOR_ACTIONS },
    examples: [["switchyard supervisor start", "start one (it says so when one already listens)"], ["switchyard supervisor status --json", "whether one listens, its pid and services"]],
  },
  {
    name: "snapshot",
    summary: "the snapshots of services' state: list, save, restore, check or forget them",
    usage: ["list [--json]", "save [SERVICE...] [--yes]", "restore ID [--yes]", "check ID [--identity FILE]", "forget ID"],
    arguments: [
      {
        name: "ACTION",
        help: "list: every snapshot, newest first; save, restore: a plan like any other, shown and asked before it runs (as 'apply snapshot save|restore'); check: recompute its hashes (and decrypt it, with an identity); forget: remove it",
      },
      { name: "ID", help: "a snapshot id, as 'snapshot list' shows it" },
      { name: "SERVICE", help: "save: the stateful services to snapshot (default: every one)" },
    ],
    check: (words) => {
      const [action, ...rest] = words;
      if (action === undefined || !SNAPSHOT_ACTIONS.some((a) => a === action)) return `snapshot takes one ACTION: ${SNAPSHOT_ACTIONS.join(", ")}`;
      if (action === "save") return null;
      if (SNAPSHOT_WITH_ID.includes(action)) return rest.length === 1 ? null : `snapshot ${action} takes one snapshot ID (see 'switchyard snapshot list')`;
      return rest.length === 0 ? null : `snapshot ${action} takes no further arguments`;
    },
    completes: { words: SNAPSHOT_ACTIONS },
    examples: [
      ["switchyard snapshot list", "every snapshot: service, generation, epoch, time, size, encrypted or in clear"],
      ["switchyard snapshot save db --yes", "snapshot db now: dumped while it runs, its directories archived while it is stopped"],
      ["switchyard snapshot restore 20261201T120000Z-db-g2", "show what restoring it replaces (kept as a new snapshot first), then ask"],
    ],
  },
  {
    name: "completion",
    summary: "a shell completion script, generated from these tables",
    usage: ["bash|zsh|fish"],
    arguments: [{ name: "SHELL", help: "bash, zsh or fish ('generations' and 'services' print what the scripts complete, one per line)" }],
    check: (words) =>
      words.length === 1 && [...SHELLS, ...COMPLETION_LISTS].some((w) => w === words[0]) ? null : "completion takes one SHELL: bash, zsh or fish",
    completes: { words: SHELLS },
    examples: [
      ["switchyard completion bash", "the bash script; load it with 'source <(switchyard completion bash)'"],
      ["switchyard completion fish", "the fish script, for ~/.config/fish/completions/switchyard.fish"],
    ],
  },
  {
    name: "bless",
    summary: "keep the generation booted on trial as the boot default (--bad: give up on it)",
    usage: ["", "--bad"],
    arguments: [],
    check: atMost(0, "bless takes no arguments"),
    completes: "nothing",
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
    completes: "generations",
    examples: [["switchyard pin 7", "no delete pattern removes generation 7 until it is unpinned"]],
  },
  {
    name: "unpin",
    summary: "stop protecting a generation from delete",
    usage: ["N"],
    arguments: [{ name: "N", help: "a pinned generation number" }],
    check: generation("unpin"),
    completes: "generations",
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
    completes: "commands",
    examples: [["switchyard help apply", "what apply takes"]],
  },
];

export const find = (name: string): Command | undefined => COMMANDS.find((c) => c.name === name || c.aliases?.includes(name) === true);

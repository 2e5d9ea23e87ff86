/**
 * The command line, parsed against the command and option tables. Dependency-free (no effect), so
 * `--help`, `--version` and usage errors start fast; every outcome is a value. Options may appear
 * anywhere; `-3`/`+2` are positional (generation specs); `--` ends the options.
 */
import * as Commands from "./Commands.js";
import * as Options from "./Options.js";
import * as Suggest from "./Suggest.js";

export type Runnable = Exclude<Commands.Name, "help">;

/**
 * The commands that only read generations: they run from their own, smaller bundle (`Read`).
 * `status` is not one of them: a pending confirmation it shows carries its revert plan, which
 * takes the plan codecs to read.
 */
export type ReadOnly = "list" | "describe" | "diff";
const READ_ONLY: ReadonlySet<Runnable> = new Set<ReadOnly>(["list", "describe", "diff"]);
export const isReadOnly = (command: Runnable): command is ReadOnly => READ_ONLY.has(command);

export interface Parsed {
  readonly command: Runnable;
  /** The command name first, then its arguments. */
  readonly positional: ReadonlyArray<string>;
  /** Checked values: a string for valued options, true for flags. */
  readonly options: ReadonlyMap<string, string | true>;
}

export type Outcome =
  | { readonly _tag: "Run"; readonly args: Parsed }
  | { readonly _tag: "Help"; readonly command: Commands.Name | null }
  | { readonly _tag: "Version" }
  /** `command` is set when the error is about that command's arguments or options. */
  | { readonly _tag: "Invalid"; readonly command: Commands.Name | null; readonly message: string };

/** One option as written: `spec` is null for an unknown one; `problem` a fault found without knowing the command. */
interface Given {
  readonly written: string;
  readonly spec: Options.Spec | null;
  readonly value: string | null;
  readonly problem: string | null;
}

const SPEC = /^[+-][0-9]+$/;

const scan = (argv: ReadonlyArray<string>): { readonly words: ReadonlyArray<string>; readonly given: ReadonlyArray<Given> } => {
  const words: Array<string> = [];
  const given: Array<Given> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (SPEC.test(arg) || !arg.startsWith("-") || arg === "-") {
      words.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const eq = long ? arg.indexOf("=") : -1;
    const written = eq < 0 ? arg : arg.slice(0, eq);
    const spec = long ? Options.byName(written.slice(2)) : arg.length === 2 ? Options.byShort(arg.slice(1)) : undefined;
    if (spec === undefined) {
      given.push({ written, spec: null, value: null, problem: null });
      continue;
    }
    const name = `--${spec.name}`;
    if (spec.kind._tag === "Flag") {
      given.push({ written, spec, value: null, problem: eq < 0 ? null : `${name} takes no value` });
      continue;
    }
    const next = argv[i + 1];
    const value = eq >= 0 ? arg.slice(eq + 1) : next !== undefined && !next.startsWith("--") ? (i++, next) : undefined;
    given.push({ written, spec, value: value ?? null, problem: value === undefined || value === "" ? `${name} needs a value: ${Options.describeValue(spec.kind)}` : null });
  }
  return { words, given };
};

/** Why this value is not one the option takes, or null. */
const badValue = (spec: Options.Spec, value: string): string | null => {
  const kind = spec.kind;
  if (kind._tag === "Whole") {
    const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    return n >= kind.min && n <= kind.max ? null : `--${spec.name} takes ${Options.describeValue(kind)}, not '${value}'`;
  }
  if (kind._tag === "Choice" && !kind.choices.includes(value)) {
    const near = Suggest.closest(value, kind.choices);
    return `--${spec.name} must be ${Options.describeValue(kind)}, not '${value}'${near === null ? "" : `; did you mean '${near}'?`}`;
  }
  return null;
};

const unknown = (written: string, command: Commands.Name | null): string => {
  const own = command === null ? Options.OPTIONS : Options.of(command);
  const names = (specs: ReadonlyArray<Options.Spec>) => specs.map((o) => `--${o.name}`);
  const near = written.startsWith("--") ? (Suggest.closest(written, names(own)) ?? Suggest.closest(written, names(Options.OPTIONS))) : null;
  return `unknown option '${written}'${near === null ? "" : `; did you mean '${near}'?`}`;
};

/** The first fault of the options for this command, in the order written. */
const optionFault = (command: Commands.Name, given: ReadonlyArray<Given>): string | null => {
  const seen = new Set<string>();
  for (const g of given) {
    if (g.spec === null) return unknown(g.written, command);
    if (!Options.accepts(command, g.spec)) return `--${g.spec.name} is not an option of ${command}`;
    if (g.problem !== null) return g.problem;
    if (g.value !== null) {
      if (seen.has(g.spec.name)) return `--${g.spec.name} is given twice`;
      seen.add(g.spec.name);
      const bad = badValue(g.spec, g.value);
      if (bad !== null) return bad;
    }
  }
  return null;
};

const invalid = (command: Commands.Name | null, message: string): Outcome => ({
  _tag: "Invalid",
  command,
  message: message.endsWith("?") ? message : `${message}; see 'switchyard ${command === null ? "--help" : `help ${command}`}'`,
});

export const parse = (argv: ReadonlyArray<string>): Outcome => {
  const { words, given } = scan(argv);
  const has = (name: string) => given.some((g) => g.spec?.name === name);
  if (has("version")) return { _tag: "Version" };
  const [word, ...rest] = words;
  if (word === undefined) {
    const fault = given.find((g) => g.spec === null || g.problem !== null);
    if (fault !== undefined) return invalid(null, fault.spec === null ? unknown(fault.written, null) : (fault.problem ?? ""));
    return has("help") ? { _tag: "Help", command: null } : invalid(null, "missing command");
  }
  const command = Commands.find(word);
  if (command === undefined) {
    const near = Suggest.closest(word, Commands.NAMES);
    return invalid(null, `unknown command '${word}'${near === null ? "" : `; did you mean '${near}'?`}`);
  }
  if (has("help")) return { _tag: "Help", command: command.name };
  const value = (name: string) => given.find((g) => g.spec?.name === name)?.value ?? undefined;
  const fault = optionFault(command.name, given) ?? command.check(rest, has, value);
  if (fault !== null) return invalid(command.name, fault);
  if (command.name === "help") return { _tag: "Help", command: rest[0] === undefined ? null : (Commands.find(rest[0])?.name ?? null) };
  const options = new Map<string, string | true>();
  for (const g of given) if (g.spec !== null) options.set(g.spec.name, g.value ?? true);
  return { _tag: "Run", args: { command: command.name, positional: words, options } };
};

export const option = (p: Parsed, name: string): string | undefined => {
  const v = p.options.get(name);
  return typeof v === "string" ? v : undefined;
};

export const flag = (p: Parsed, name: string): boolean => p.options.get(name) === true;

/** A choice option's value, typed; the parser has already refused any value outside `values`. */
export const oneOf = <T extends string>(p: Parsed, name: string, values: ReadonlyArray<T>): T | undefined => values.find((v) => v === option(p, name));

/**
 * What the completion scripts complete, read from the command and option tables, so a script
 * offers exactly what the parser accepts: the commands (and their aliases), each command's
 * options, the values of choice options, directories or files for path options, and for the words
 * after a command what its table entry says (generations, an operation, services…). Generation
 * numbers and service names are asked of `switchyard completion generations|services` when
 * completing, with the --root and --profile of the line being completed.
 */
import * as Commands from "../args/Commands.js";
import * as Options from "../args/Options.js";


/** What follows an option that takes a value. */
export type Value = { readonly _tag: "Words"; readonly words: ReadonlyArray<string> } | { readonly _tag: "Directories" } | { readonly _tag: "Files" } | { readonly _tag: "Nothing" };

export const valueOf = (o: Options.Spec): Value | null => {
  switch (o.kind._tag) {
    case "Flag":
      return null;
    case "Choice":
      return { _tag: "Words", words: o.kind.choices };
    case "Whole":
      return { _tag: "Nothing" };
    case "Text":
      return o.kind.metavar === "DIR" ? { _tag: "Directories" } : { _tag: "Files" };
  }
};

export interface Entry {
  readonly name: Commands.Name;
  /** The name and its aliases. */
  readonly names: ReadonlyArray<string>;
  readonly summary: string;
  readonly completes: Commands.Completes;
  /** `--name` and `-x` forms of every option it takes. */
  readonly flags: ReadonlyArray<string>;
}

export const flagsOf = (o: Options.Spec): ReadonlyArray<string> => [`--${o.name}`, ...(o.short === null ? [] : [`-${o.short}`])];

export const entries = (): ReadonlyArray<Entry> =>
  Commands.COMMANDS.map((c) => ({
    name: c.name,
    names: [c.name, ...(c.aliases ?? [])],
    summary: c.summary,
    completes: c.completes,
    flags: Options.of(c.name).flatMap(flagsOf),
  }));

export const commandNames = (): ReadonlyArray<string> => entries().flatMap((e) => e.names);

/** Options that take a value, grouped by what their value is, for a `case` on the previous word. */
export const valued = (): ReadonlyArray<{ readonly option: Options.Spec; readonly value: Value }> =>
  Options.OPTIONS.flatMap((option) => {
    const value = valueOf(option);
    return value === null ? [] : [{ option, value }];
  });

/** The options that say which machine to read, passed on to `switchyard completion generations`. */
export const MACHINE_OPTIONS = ["root", "profile"] as const;

/** A word for a single-quoted shell string (the tables hold no quote, but the help text might). */
export const quoted = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

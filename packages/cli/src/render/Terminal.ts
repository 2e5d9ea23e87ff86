/**
 * What an output stream can show, decided in one place from the environment, so every renderer
 * asks the same question the same way: colours only on a terminal (never with NO_COLOR, always
 * with FORCE_COLOR), Unicode symbols only in a UTF-8 locale (LC_ALL, else LC_CTYPE, else LANG, as
 * the C library picks them), and whether a line may be redrawn in place (a progress bar).
 */

export interface Terminal {
  readonly color: boolean;
  readonly unicode: boolean;
  /** A terminal: a line may be rewritten with a carriage return. */
  readonly interactive: boolean;
  readonly columns: number;
}

export interface Environment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
  readonly columns?: number | undefined;
}

const set = (value: string | undefined): value is string => value !== undefined && value !== "";

/** The locale that decides the character set: the first of LC_ALL, LC_CTYPE, LANG that is set. */
const characterLocale = (env: Environment["env"]): string => [env.LC_ALL, env.LC_CTYPE, env.LANG].find(set) ?? "";

/** NO_COLOR wins over everything (https://no-color.org); FORCE_COLOR=0 or false turns colours off too. */
const colour = (e: Environment): boolean => {
  if (set(e.env.NO_COLOR)) return false;
  const forced = e.env.FORCE_COLOR;
  if (forced !== undefined) return !["0", "false"].includes(forced.toLowerCase());
  return e.isTTY && e.env.TERM !== "dumb";
};

export const detect = (e: Environment): Terminal => ({
  color: colour(e),
  unicode: /utf-?8/i.test(characterLocale(e.env)),
  interactive: e.isTTY && e.env.TERM !== "dumb",
  columns: e.columns !== undefined && e.columns > 0 ? e.columns : 80,
});

export const stdout = (): Terminal => detect({ env: process.env, isTTY: process.stdout.isTTY === true, columns: process.stdout.columns });

export const stderr = (): Terminal => detect({ env: process.env, isTTY: process.stderr.isTTY === true, columns: process.stderr.columns });

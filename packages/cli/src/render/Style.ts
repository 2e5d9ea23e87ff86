/**
 * The look of text output, in one place: the marks of a plan or a diff (`+` start, `-` stop, `-/+`
 * stop then start, `~` change in place, `↻` reload, `!` left on old code), their colours, and the
 * few typographic symbols, each with a plain ASCII twin for a locale that is not UTF-8. Colour is
 * added after the text was escaped (Escape.ts), so these are the only escape sequences printed.
 */
import type { Terminal } from "./Terminal.js";

export type Mark = "add" | "remove" | "replace" | "change" | "reload" | "skip" | "same";

type Colour = "red" | "green" | "yellow" | "cyan" | "magenta" | "bold" | "dim";

const SGR: Readonly<Record<Colour, string>> = { red: "31", green: "32", yellow: "33", cyan: "36", magenta: "35", bold: "1", dim: "2" };

const MARK_COLOUR: Readonly<Record<Mark, Colour>> = {
  add: "green",
  remove: "red",
  replace: "yellow",
  change: "yellow",
  reload: "cyan",
  skip: "magenta",
  same: "dim",
};

const UNICODE = { add: "+", remove: "-", replace: "-/+", change: "~", reload: "↻", skip: "!", same: "=", arrow: "→", ellipsis: "…", full: "█", empty: "░" };
const ASCII: typeof UNICODE = { add: "+", remove: "-", replace: "-/+", change: "~", reload: "*", skip: "!", same: "=", arrow: "->", ellipsis: "...", full: "#", empty: "." };

/** Marks are padded to the widest one, so the names after them line up. */
export const MARK_WIDTH = 3;

export interface Style {
  readonly unicode: boolean;
  readonly color: boolean;
  readonly symbol: typeof UNICODE;
  /** The mark, coloured and padded to MARK_WIDTH. */
  readonly mark: (m: Mark) => string;
  /** Text in a mark's colour (already escaped text only). */
  readonly tint: (m: Mark, text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
}

export const of = (t: Pick<Terminal, "color" | "unicode">): Style => {
  const symbol = t.unicode ? UNICODE : ASCII;
  const paint = (c: Colour) => (text: string) => (t.color && text !== "" ? `\u001b[${SGR[c]}m${text}\u001b[0m` : text);
  const tint = (m: Mark, text: string) => paint(MARK_COLOUR[m])(text);
  return {
    unicode: t.unicode,
    color: t.color,
    symbol,
    // Padded before painting: the escape sequences take no columns.
    mark: (m) => tint(m, symbol[m]) + " ".repeat(Math.max(0, MARK_WIDTH - symbol[m].length)),
    tint,
    bold: paint("bold"),
    dim: paint("dim"),
    red: paint("red"),
    green: paint("green"),
  };
};

/** A style without colours or Unicode, for tests and for text that must stay plain. */
export const plain: Style = of({ color: false, unicode: false });

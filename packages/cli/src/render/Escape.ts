/**
 * Text for a terminal or a plain-text stream, where names, labels and paths come from manifests and
 * links switchyard does not control: every control character is shown as an escape (`\x1b`, `\n`,
 * `\r`…), so a label can neither send terminal escape sequences nor start a forged line or row.
 * Applied per line we build (a line break inside a value is escaped too); `--json` output is not
 * text and keeps the values as they are.
 */

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), the Unicode line and
// paragraph separators, and the bidirectional overrides that reorder what a line appears to say.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u001b": "\\x1b" };

const escape = (c: string): string => {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

// The same set, for a quick test: nearly every line has nothing to escape.
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** One line, safe to print: nothing in it moves the cursor, changes colours or ends the line. */
export const line = (text: string): string => (ANY_CONTROL.test(text) ? text.replace(CONTROL, escape) : text);

/** Lines we built, each made safe, joined by line breaks. */
export const lines = (texts: ReadonlyArray<string>): string => texts.map(line).join("\n");

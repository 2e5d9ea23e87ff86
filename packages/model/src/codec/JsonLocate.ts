/**
 * Where a field path (`services[1].restartIfChanges`, as decoding errors name fields) is written in
 * a JSON text: the line and column (1-based, UTF-16 code units, like JsonText's syntax errors) of
 * the member's key, or of the array element. A field that is not there (a missing required one)
 * points at the deepest part of the path that is, so "boot.kernel: missing" points at "boot". The
 * text must be valid JSON (locate after JsonText.parse succeeded); anything else gives null.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

type Segment = string | number;

/** `a.b[2].c` → ["a", "b", 2, "c"]; null for a path that is not one (`(top level)` is the empty path). */
const segments = (field: string): ReadonlyArray<Segment> | null => {
  if (field === "(top level)") return [];
  const out: Array<Segment> = [];
  const re = /([^.[\]]+)|\[([0-9]+)\]|\./gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < field.length && (m = re.exec(field)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    at = re.lastIndex;
  }
  return at === field.length ? out : null;
};

const WS = " \t\n\r";

const skipWs = (text: string, i: number): number => {
  while (i < text.length && WS.includes(text[i] as string)) i++;
  return i;
};

/** The index just after the string that starts at `i`. */
const skipString = (text: string, i: number): number => {
  for (i++; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return i;
};

/** The index just after the value that starts at `i` (after whitespace). */
const skipValue = (text: string, i: number): number => {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c !== "{" && c !== "[") {
    while (i < text.length && !",]}".includes(text[i] as string) && !WS.includes(text[i] as string)) i++;
    return i;
  }
  let depth = 0;
  for (; i < text.length; i++) {
    const d = text[i];
    if (d === '"') i = skipString(text, i) - 1;
    else if (d === "{" || d === "[") depth++;
    else if (d === "}" || d === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return i;
};

/** The member `key` of the object at `i`: where its key is written and where its value starts (the last one, as JSON.parse keeps). */
const member = (text: string, i: number, key: string): { readonly at: number; readonly value: number } | null => {
  let found: { at: number; value: number } | null = null;
  i = skipWs(text, i + 1);
  while (i < text.length && text[i] === '"') {
    const end = skipString(text, i);
    const name = JSON.parse(text.slice(i, end)) as string;
    const value = skipWs(text, skipWs(text, end) + 1);
    if (name === key) found = { at: i, value };
    i = skipWs(text, skipValue(text, value));
    if (text[i] === ",") i = skipWs(text, i + 1);
  }
  return found;
};

const element = (text: string, i: number, index: number): number | null => {
  i = skipWs(text, i + 1);
  for (let k = 0; i < text.length && text[i] !== "]"; k++) {
    if (k === index) return i;
    i = skipWs(text, skipValue(text, i));
    if (text[i] === ",") i = skipWs(text, i + 1);
  }
  return null;
};

const position = (text: string, index: number): Position => {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < index && k < text.length; k++) {
    if (text[k] === "\n") {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
};

export const locate = (text: string, field: string): Position | null => {
  const path = segments(field);
  if (path === null) return null;
  let value = skipWs(text, 0);
  let at = value;
  for (const seg of path) {
    const next =
      typeof seg === "string" && text[value] === "{"
        ? member(text, value, seg)
        : typeof seg === "number" && text[value] === "["
          ? ((i) => (i === null ? null : { at: i, value: i }))(element(text, value, seg))
          : null;
    if (next === null) break;
    at = next.at;
    value = next.value;
  }
  return position(text, at);
};

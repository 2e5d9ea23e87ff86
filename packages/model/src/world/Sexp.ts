/**
 * A reader for the s-expressions Guix writes (the `parameters` file of a system generation):
 * lists, strings with Guile's escapes, symbols, integers, `#t`/`#f`, bytevectors `#vu8(…)` and
 * `;` comments. Enough to read data, not a Scheme; errors give the line and column.
 */
import * as E from "fp-ts/lib/Either.js";

export type Sexp =
  | { readonly _tag: "List"; readonly items: ReadonlyArray<Sexp> }
  | { readonly _tag: "String"; readonly value: string }
  | { readonly _tag: "Symbol"; readonly name: string }
  | { readonly _tag: "Number"; readonly value: number }
  | { readonly _tag: "Boolean"; readonly value: boolean }
  | { readonly _tag: "Bytes"; readonly bytes: ReadonlyArray<number> };

export interface SyntaxError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", a: "\u0007", f: "\f", v: "\v", "0": "\u0000", '"': '"', "\\": "\\" };
const DELIMITER = /[\s()";]/;

/** The one datum in `text` (comments and whitespace around it allowed). */
export const read = (text: string): E.Either<SyntaxError, Sexp> => {
  let i = 0;
  const fail = (message: string, at = i): E.Either<SyntaxError, never> => {
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    return E.left({ line, column: at - before.lastIndexOf("\n"), message });
  };
  const skip = () => {
    while (i < text.length) {
      if (/\s/.test(text[i] as string)) i++;
      else if (text[i] === ";") while (i < text.length && text[i] !== "\n") i++;
      else break;
    }
  };
  const datum = (): E.Either<SyntaxError, Sexp> => {
    skip();
    if (i >= text.length) return fail("unexpected end of file");
    const c = text[i] as string;
    if (c === "(") {
      const open = i++;
      const items: Array<Sexp> = [];
      for (;;) {
        skip();
        if (i >= text.length) return fail("unclosed '('", open);
        if (text[i] === ")") {
          i++;
          return E.right({ _tag: "List", items });
        }
        const item = datum();
        if (E.isLeft(item)) return item;
        items.push(item.right);
      }
    }
    if (c === ")") return fail("unexpected ')'");
    if (c === '"') {
      const start = i++;
      let value = "";
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") {
          const e = text[i + 1] ?? "";
          if (e === "x") {
            const end = text.indexOf(";", i);
            if (end < 0) return fail("unterminated \\x escape");
            value += String.fromCodePoint(parseInt(text.slice(i + 2, end), 16));
            i = end + 1;
            continue;
          }
          if (!(e in ESCAPES)) return fail(`unknown escape '\\${e}' in a string`);
          value += ESCAPES[e];
          i += 2;
        } else value += text[i++];
      }
      if (i >= text.length) return fail("unterminated string", start);
      i++;
      return E.right({ _tag: "String", value });
    }
    if (text.startsWith("#vu8(", i)) {
      i += 4;
      const list = datum();
      if (E.isLeft(list)) return list;
      const l = list.right;
      if (l._tag !== "List" || !l.items.every((b) => b._tag === "Number" && Number.isInteger(b.value) && b.value >= 0 && b.value < 256)) return fail("a bytevector holds bytes 0 to 255");
      return E.right({ _tag: "Bytes", bytes: l.items.map((b) => (b as { value: number }).value) });
    }
    const start = i;
    while (i < text.length && !DELIMITER.test(text[i] as string)) i++;
    const atom = text.slice(start, i);
    if (atom === "#t" || atom === "#true") return E.right({ _tag: "Boolean", value: true });
    if (atom === "#f" || atom === "#false") return E.right({ _tag: "Boolean", value: false });
    if (/^[+-]?[0-9]+$/.test(atom)) return E.right({ _tag: "Number", value: Number(atom) });
    if (atom.startsWith("#")) return fail(`unsupported syntax '${atom}'`, start);
    return E.right({ _tag: "Symbol", name: atom });
  };
  const result = datum();
  if (E.isLeft(result)) return result;
  skip();
  return i < text.length ? fail("more than one expression in the file") : result;
};

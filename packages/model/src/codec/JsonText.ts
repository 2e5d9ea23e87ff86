/**
 * JSON text to a value, or the first syntax error with its line and column (1-based, columns in
 * UTF-16 code units), so "manifest.json:3:14: expected ',' or '}'" points at the spot. The fast
 * path is the engine's parser; only a failure is scanned again to find where it went wrong.
 */
import * as E from "fp-ts/lib/Either.js";

export interface SyntaxError {
  readonly _tag: "JsonSyntaxError";
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export const parse = (text: string): E.Either<SyntaxError, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch {
    return E.left(locate(text));
  }
};

/** "3:14: expected ',' or '}'" */
export const describe = (e: SyntaxError): string => `${e.line}:${e.column}: ${e.message}`;

class Stop {
  constructor(
    readonly at: number,
    readonly message: string,
  ) {}
}

/** A strict RFC 8259 scanner that only reports where the text stops being JSON. */
const locate = (text: string): SyntaxError => {
  let i = 0;
  const fail = (message: string): never => {
    throw new Stop(i, message);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const found = () => (i >= text.length ? "the end of the text" : `'${text[i]}'`);
  const literal = (word: string) => {
    for (const c of word) {
      if (text[i] !== c) fail(`expected '${word}'`);
      i++;
    }
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail("control character in a string (escape it)");
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("bad \\u escape");
          i += 5;
        } else if (e !== undefined && "\"\\/bfnrt".includes(e)) i++;
        else fail("bad escape in a string");
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (m === null || m[0] === "" || m[0] === "-") fail(`unexpected ${found()}`);
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail("nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${found()}`);
        string();
        ws();
        if (text[i] !== ":") fail(`expected ':' after the property name, found ${found()}`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") return void i++;
        fail(`expected ',' or '}', found ${found()}`);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") return void i++;
        fail(`expected ',' or ']', found ${found()}`);
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    fail(i >= text.length ? "unexpected end of the text (empty or cut short?)" : `unexpected ${found()}`);
  };
  let stop: Stop;
  try {
    value(0);
    ws();
    if (i < text.length) fail(`unexpected ${found()} after the end of the document`);
    stop = new Stop(i, "not valid JSON");
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    stop = e;
  }
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < stop.at && k < text.length; k++) {
    if (text[k] === "\n") {
      line++;
      lineStart = k + 1;
    }
  }
  return { _tag: "JsonSyntaxError", line, column: stop.at - lineStart + 1, message: stop.message };
};

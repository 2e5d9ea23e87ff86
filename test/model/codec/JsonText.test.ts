import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as JsonText from "../../../packages/model/src/codec/JsonText.js";

describe("JsonText.parse", () => {
  it("agrees with JSON.parse on every JSON document", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 2);
        expect(JsonText.parse(text)).toEqual(E.right(JSON.parse(text)));
      }),
    );
  });

  it("refuses exactly what JSON.parse refuses, always with a position inside the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        let ok = true;
        try {
          JSON.parse(s);
        } catch {
          ok = false;
        }
        const r = JsonText.parse(s);
        expect(E.isRight(r)).toBe(ok);
        if (E.isLeft(r)) {
          const lines = s.split("\n");
          expect(r.left.line).toBeGreaterThanOrEqual(1);
          expect(r.left.line).toBeLessThanOrEqual(lines.length);
          expect(r.left.column).toBeLessThanOrEqual((lines[r.left.line - 1] ?? "").length + 1);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}', found '\"'"],
    ['{"a": }', 1, 7, "unexpected '}'"],
    ["[1, 2", 1, 6, "expected ',' or ']', found the end of the text"],
    ["", 1, 1, "unexpected end of the text (empty or cut short?)"],
    ['{"a": 1} x', 1, 10, "unexpected 'x' after the end of the document"],
    ["{'a': 1}", 1, 2, "expected a property name in double quotes, found '''"],
  ])("names line and column: %j", (text, line, column, message) => {
    expect(JsonText.parse(text)).toEqual(E.left({ _tag: "JsonSyntaxError", line, column, message }));
  });
});

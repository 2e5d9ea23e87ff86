/** The model's UTF-8 length agrees with the encoder on every string, lone surrogates included. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteLength } from "../../packages/model/src/internal/Utf8.js";

describe("Utf8.byteLength", () => {
  it("is what TextEncoder writes, for any UTF-16 string", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (s) => {
        expect(byteLength(s)).toBe(encoder.encode(s).length);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ["", 0],
    ["a", 1],
    ["é", 2],
    ["€", 3],
    ["😀", 4],
    ["\ud800", 3],
    ["\udc00\ud800", 6],
  ])("%j is %i bytes", (s, n) => {
    expect(byteLength(s)).toBe(n);
  });
});

/** The columns file's framing: what is written reads back the same, and no bytes make it throw. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ColumnsFile from "../../packages/interpreter/src/observe/ColumnsFile.js";
import type * as GenerationsIndex from "../../packages/model/src/world/GenerationsIndex.js";

const section: fc.Arbitrary<GenerationsIndex.Section> = fc.oneof(
  fc.array(fc.double(), { maxLength: 20 }).map((values) => ({ kind: "f64" as const, values })),
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 }).map((values) => ({ kind: "i32" as const, values })),
  // Well-formed strings of any script, a byte-order mark first among them.
  fc.array(fc.oneof(fc.string({ unit: "grapheme" }), fc.constant("\uFEFFmark"), fc.constant("")), { maxLength: 20 }).map((values) => ({ kind: "strings" as const, values })),
);
const file = fc.record({
  head: fc.jsonValue(),
  sections: fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), section), { selector: ([name]) => name, maxLength: 6 }).map((xs) => new Map(xs)),
});
const encoded = (f: GenerationsIndex.ColumnsFile): Uint8Array => {
  const bytes = ColumnsFile.encode(f);
  if (bytes === null) throw new Error("not encoded");
  return bytes;
};
/** A section as plain values, to compare what was written with what was read. */
const plain = (s: GenerationsIndex.Section) => ({ kind: s.kind, values: Array.from({ length: s.values.length }, (_, i) => (s.kind === "strings" ? s.values.at(i) : s.values[i])) });

describe("ColumnsFile", () => {
  it("decode ∘ encode is the identity, every section on an 8-byte boundary", () => {
    fc.assert(
      fc.property(file, (f) => {
        const bytes = encoded(f);
        const back = ColumnsFile.decode(bytes);
        expect(back).not.toBeNull();
        expect(back?.head).toEqual(JSON.parse(JSON.stringify(f.head ?? null)));
        expect([...(back?.sections ?? [])].map(([n, s]) => [n, plain(s)])).toEqual([...f.sections].map(([n, s]) => [n, plain(s)]));
        // The same bytes at an odd offset in a larger buffer (as a pooled read may give them) read the same.
        const shifted = new Uint8Array(bytes.byteLength + 3);
        shifted.set(bytes, 3);
        expect(ColumnsFile.decode(shifted.subarray(3))?.sections.size).toBe(f.sections.size);
      }),
    );
  });

  it("a string read back is the one written, out of range is undefined", () => {
    const back = ColumnsFile.decode(encoded({ head: 1, sections: new Map([["s", { kind: "strings", values: ["ab", "", "ünï", "😀x"] }]]) }));
    const s = back?.sections.get("s");
    expect(s?.kind).toBe("strings");
    if (s?.kind !== "strings") return;
    expect([0, 1, 2, 3, 4, -1, 1.5].map((i) => s.values.at(i))).toEqual(["ab", "", "ünï", "😀x", undefined, undefined, undefined]);
  });

  it("truncated, altered or arbitrary bytes decode to a file or to null, never throw", () => {
    fc.assert(
      fc.property(file, fc.nat(), fc.nat(255), (f, at, byte) => {
        const bytes = encoded(f);
        expect(() => ColumnsFile.decode(bytes.subarray(0, at % (bytes.byteLength + 1)))).not.toThrow();
        const altered = Uint8Array.from(bytes);
        altered[at % altered.byteLength] = byte;
        expect(() => ColumnsFile.decode(altered)).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => ColumnsFile.decode(bytes)).not.toThrow();
      }),
    );
  });

  it("columns cut short, or written in the other byte order, are no file", () => {
    const bytes = encoded({ head: 1, sections: new Map([["n", { kind: "f64", values: [1, 2, 3] }], ["s", { kind: "strings", values: ["abc"] }]]) });
    expect(ColumnsFile.decode(bytes)).not.toBeNull();
    expect(ColumnsFile.decode(bytes.subarray(0, bytes.byteLength - 1))).toBeNull();
    const text = new TextDecoder().decode(bytes);
    const newline = text.indexOf("\n");
    const other = text.slice(0, newline).replace(/"byteOrder":"(little|big)"/, (_, o: string) => `"byteOrder":"${o === "little" ? "big" : "little"}"`);
    expect(other).not.toBe(text.slice(0, newline));
    const swapped = new Uint8Array(bytes);
    swapped.set(new TextEncoder().encode(other));
    expect(ColumnsFile.decode(swapped)).toBeNull();
  });
});

import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as Json from "../../packages/cli/src/render/Json.js";

const printed = (doc: unknown): string => {
  const pieces: Array<string> = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    pieces.push(String(chunk));
    return true;
  });
  try {
    Json.print(doc);
  } finally {
    spy.mockRestore();
  }
  return pieces.join("");
};

afterEach(() => vi.restoreAllMocks());

describe("Json.print", () => {
  it("writes what JSON.stringify(doc, null, 2) writes, in pieces", () => {
    const value = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.date({ noInvalidDate: true }), fc.constant([]), fc.constant({}));
    const doc = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.oneof(value, fc.array(value), fc.dictionary(fc.string(), value))), fc.array(fc.oneof(value, fc.array(value))));
    fc.assert(
      fc.property(doc, (d) => {
        expect(printed(d)).toBe(`${JSON.stringify(d, null, 2)}\n`);
      }),
      { numRuns: 300 },
    );
  });

  it("writes an array made element by element (Json.Elements) as JSON.stringify writes the array, at every depth, making each element once", () => {
    const value = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant([]), fc.constant({}));
    fc.assert(
      fc.property(fc.array(value), fc.integer({ min: 0, max: 3 }), (xs, depth) => {
        let made = 0;
        const lazy = new Json.Elements(xs.length, (i) => {
          made++;
          return xs[i];
        });
        const wrap = (x: unknown, d: number): unknown => (d === 0 ? x : { inner: [wrap(x, d - 1)] });
        expect(printed(wrap(lazy, depth))).toBe(`${JSON.stringify(wrap(xs, depth), null, 2)}\n`);
        // Split levels make each element as it is written; below them JSON.stringify takes the whole array once.
        expect(made).toBe(xs.length);
      }),
      { numRuns: 200 },
    );
  });

  it("splits a long listing into pieces of about 64 KiB", () => {
    const doc = { generations: Array.from({ length: 5_000 }, (_, i) => ({ number: i, label: `Example "OS" ${i}\n`, created: new Date(i * 3_600_000) })) };
    const pieces: Array<number> = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      pieces.push(String(chunk).length);
      return true;
    });
    Json.print(doc);
    spy.mockRestore();
    expect(pieces.length).toBeGreaterThan(4);
    expect(Math.max(...pieces)).toBeLessThan(70_000);
    expect(printed(doc)).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });
});

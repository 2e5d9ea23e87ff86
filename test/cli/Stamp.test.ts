import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Stamp from "../../packages/cli/src/render/Stamp.js";

const viaDate = (ms: number): string => {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? "????-??-?? ??:??:??" : d.toISOString().slice(0, 19).replace("T", " ");
};
const isoViaDate = (ms: number): string | null => (Number.isNaN(new Date(ms).getTime()) ? null : new Date(ms).toISOString());

/** Instants around the edges of the fast path (years 0000 and 9999), the epoch and Date's own limits. */
const instants = fc.oneof(
  fc.integer({ min: -62_167_219_200_000, max: 253_402_300_800_000 }),
  fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }),
  fc.double({ min: -9e15, max: 9e15, noNaN: false }),
  fc.integer({ min: -62_167_219_200_000 - 3 * 86_400_000, max: -62_167_219_200_000 + 3 * 86_400_000 }),
  fc.integer({ min: 253_402_300_800_000 - 3 * 86_400_000, max: 253_402_300_800_000 + 3 * 86_400_000 }),
  fc.double({ min: -3 * 86_400_000, max: 3 * 86_400_000 }),
  fc.constantFrom(8.64e15, -8.64e15, 8.64e15 + 1, -0, Number.POSITIVE_INFINITY, Number.NaN),
);

describe("Stamp", () => {
  it("formats every instant as Date#toISOString does, in any order of calls", () => {
    const f = Stamp.formatter();
    fc.assert(
      fc.property(fc.array(instants, { minLength: 1, maxLength: 20 }), (xs) => {
        for (const ms of xs) {
          expect(f.seconds(ms)).toBe(viaDate(ms));
          const iso = isoViaDate(ms);
          if (iso === null) expect(() => f.iso(ms)).toThrow(RangeError);
          else expect(f.iso(ms)).toBe(iso);
        }
      }),
      { numRuns: 300 },
    );
  });
});

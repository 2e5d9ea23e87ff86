/**
 * Epochs follow snapd's rules (snap/epoch.go): the spellings and their normal form, the
 * validation with snapd's messages, canRead, and the shortest display. Properties over valid
 * epochs: normalising is idempotent and display parses back to the same epoch.
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Epoch from "../../../packages/model/src/state/Epoch.js";

const parsed = (u: unknown) => Epoch.parse(u);

/** Valid epochs: increasing lists of at most 10 entries whose read and write share one. */
const increasing = fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 10 }).map((xs) => [...xs].sort((a, b) => a - b));
const epoch: fc.Arbitrary<Epoch.Epoch> = fc
  .tuple(increasing, increasing)
  .map(([read, write]) => (read.some((x) => write.includes(x)) ? { read, write } : { read: [...new Set([...read, write[0] as number])].sort((a, b) => a - b).slice(-10), write }))
  .filter((e) => E.isRight(Epoch.validate(e)));

describe("epoch syntax", () => {
  it("N, N* and the structured form, with snapd's defaults", () => {
    expect(parsed("3")).toEqual(E.right({ read: [3], write: [3] }));
    expect(parsed("3*")).toEqual(E.right({ read: [2, 3], write: [3] }));
    expect(parsed(3)).toEqual(E.right({ read: [3], write: [3] }));
    for (const zero of [undefined, null, "", "0", {}]) expect(parsed(zero)).toEqual(E.right(Epoch.zero));
    expect(parsed({ write: [4] })).toEqual(E.right({ read: [4], write: [4] }));
    expect(parsed({ read: [1, 2] })).toEqual(E.right({ read: [1, 2], write: [2] }));
    expect(parsed({ read: [1, 2], write: [2, 3] })).toEqual(E.right({ read: [1, 2], write: [2, 3] }));
  });

  it.each([
    ["0*", "0* is an invalid epoch"],
    ["01", "epoch numbers must be base 10 with no zero padding, but got '01'"],
    ["1**", "epoch numbers must be base 10 with no zero padding, but got '1*'"],
    ["-1", "epoch numbers must be base 10 with no zero padding, but got '-1'"],
    ["4294967296", "epoch numbers must be less than 2³², but got '4294967296'"],
    [{ read: [] }, "epoch list cannot be explicitly empty"],
    [{ write: [] }, "epoch list cannot be explicitly empty"],
    [{ read: [2, 1] }, "epoch list must be a strictly increasing sequence"],
    [{ read: [1, 1] }, "epoch list must be a strictly increasing sequence"],
    [{ read: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, "epoch list must not have more than 10 entries"],
    [{ read: [1], write: [2] }, "epoch read and write lists must have a non-empty intersection"],
    [{ read: [4294967296] }, "epoch numbers must be less than 2³², but got '4294967296'"],
    [{ read: [1.5] }, "epoch numbers must be base 10 with no zero padding, but got '1.5'"],
    [{ reads: [1] }, "unknown field 'reads' in an epoch; use read and write"],
    [[1], `expected an epoch: "N", "N*" or {"read": [...], "write": [...]}`],
  ])("refuses %j: %s", (input, message) => {
    expect(parsed(input)).toEqual(E.left(message));
  });

  it("4294967295 is the largest epoch number", () => {
    expect(parsed("4294967295")).toEqual(E.right({ read: [4294967295], write: [4294967295] }));
  });
});

describe("canRead and display", () => {
  it("is snapd's asymmetric relation: 1* reads 0, 0 does not read 1*", () => {
    const [zero, oneStar, two] = [Epoch.zero, Epoch.normal("1*"), Epoch.normal("2")];
    expect(Epoch.canRead(oneStar, zero)).toBe(true);
    expect(Epoch.canRead(zero, oneStar)).toBe(false);
    expect(Epoch.canRead(Epoch.normal("2*"), oneStar)).toBe(true);
    expect(Epoch.canRead(two, zero)).toBe(false);
  });

  it("displays the shortest form", () => {
    expect(["0", "5", "5*"].map((s) => Epoch.display(Epoch.normal(s)))).toEqual(["0", "5", "5*"]);
    expect(Epoch.display(Epoch.normal({ read: [1, 3], write: [3] }))).toBe('{"read":[1,3],"write":[3]}');
  });

  it("normalising is idempotent and display parses back to the same epoch (property)", () => {
    fc.assert(
      fc.property(epoch, (e) => {
        expect(Epoch.parse(Epoch.EpochCodec.encode(e))).toEqual(E.right(e));
        const shown = Epoch.display(e);
        expect(Epoch.parse(shown.startsWith("{") ? JSON.parse(shown) : shown)).toEqual(E.right(e));
        expect(E.isRight(Epoch.EpochCodec.decode(Epoch.EpochCodec.encode(e)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("canRead is exactly a shared entry of the reader's read and the writer's write list (property)", () => {
    fc.assert(
      fc.property(epoch, epoch, (a, b) => {
        expect(Epoch.canRead(a, b)).toBe(a.read.some((x) => b.write.includes(x)));
        // Every epoch reads what it writes itself.
        expect(Epoch.canRead(a, a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("validation accepts exactly the increasing, short, intersecting, non-empty lists (property)", () => {
    const lists = fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 12 });
    fc.assert(
      fc.property(lists, lists, (read, write) => {
        const inc = (xs: ReadonlyArray<number>) => xs.every((x, i) => i === 0 || (xs[i - 1] as number) < x);
        const valid = read.length > 0 && write.length > 0 && read.length <= 10 && write.length <= 10 && inc(read) && inc(write) && read.some((x) => write.includes(x));
        expect(E.isRight(Epoch.validate({ read, write }))).toBe(valid);
      }),
      { numRuns: 300 },
    );
  });
});

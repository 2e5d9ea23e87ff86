import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Spec from "../../packages/model/src/select/Spec.js";

const spec = (text: string): Spec.Spec => {
  const r = Spec.parse(text);
  if (E.isLeft(r)) throw new Error(`expected '${text}' to parse: ${r.left.message}`);
  return r.right;
};

const HOLES = [1, 2, 3, 5, 6, 7, 8];

describe("Spec.parse", () => {
  const accepted: ReadonlyArray<[string, Spec.Spec]> = [
    ["7", { _tag: "Absolute", number: 7 }],
    ["007", { _tag: "Absolute", number: 7 }],
    ["0", { _tag: "Absolute", number: 0 }],
    ["+2", { _tag: "Relative", offset: 2 }],
    ["-3", { _tag: "Relative", offset: -3 }],
    ["+0", { _tag: "Relative", offset: 0 }],
    ["-0", { _tag: "Relative", offset: 0 }],
    ["-007", { _tag: "Relative", offset: -7 }],
  ];
  for (const [text, expected] of accepted) {
    it(`accepts '${text}'`, () => {
      const s = spec(text);
      expect(s).toEqual(expected);
      expect(Object.is(s._tag === "Relative" ? s.offset : 1, -0)).toBe(false);
      expect(Spec.Spec.is(s)).toBe(true);
    });
  }

  const refused = ["", " 1", "1 ", "1.", "0x5", "#x5", "+", "-", "+-1", "--1", "++1", "1,2", "1..3", "abc", "old", "1d", "１"];
  for (const text of refused) {
    it(`refuses '${text}'`, () => {
      expect(Spec.parse(text)).toEqual(E.left({ _tag: "InvalidSpec", message: `invalid generation spec '${text}': use N, +K or -K` }));
    });
  }

  it("refuses numbers too large to be exact", () => {
    const r = Spec.parse("-99999999999999999999");
    expect(r).toEqual(E.left({ _tag: "InvalidSpec", message: "invalid generation spec '-99999999999999999999': the number is too large" }));
  });

  it("shows a spec the way it is written", () => {
    expect(["7", "+2", "-3", "-0"].map((t) => Spec.show(spec(t)))).toEqual(["7", "+2", "-3", "+0"]);
  });
});

describe("Spec.resolve", () => {
  const ok: ReadonlyArray<[string, ReadonlyArray<number>, number | null, number]> = [
    ["5", HOLES, 7, 5],
    ["5", HOLES, null, 5],
    ["7", HOLES, 7, 7],
    ["-3", HOLES, 7, 3], // 4 was deleted and is stepped over
    ["-1", HOLES, 7, 6],
    ["-1", HOLES, 5, 3],
    ["+1", HOLES, 3, 5],
    ["+1", HOLES, 7, 8],
    ["-6", HOLES, 8, 1],
    ["+6", HOLES, 1, 8],
    ["+0", HOLES, 7, 7],
    ["-0", HOLES, 7, 7],
    // Current's link vanished: moves count from where it would sit.
    ["-1", HOLES, 4, 3],
    ["+1", HOLES, 4, 5],
    ["-2", [1, 2, 3], 10, 2],
  ];
  for (const [text, existing, current, expected] of ok) {
    it(`'${text}' from ${current} in [${existing.join(",")}] gives ${expected}`, () => {
      expect(Spec.resolve(spec(text), existing, current)).toEqual(E.right(expected));
    });
  }

  const bad: ReadonlyArray<[string, ReadonlyArray<number>, number | null, Spec.SpecError]> = [
    ["4", HOLES, 7, { _tag: "NoSuchGeneration", message: "generation 4 does not exist; see 'switchyard list'" }],
    ["0", HOLES, 7, { _tag: "NoSuchGeneration", message: "generation 0 does not exist; see 'switchyard list'" }],
    ["1", [], null, { _tag: "NoSuchGeneration", message: "generation 1 does not exist; see 'switchyard list'" }],
    ["+0", HOLES, 4, { _tag: "NoSuchGeneration", message: "generation 4 does not exist; see 'switchyard list'" }],
    ["-1", HOLES, null, { _tag: "NoCurrent", message: "there is no current generation; switch to a number instead" }],
    ["+0", HOLES, null, { _tag: "NoCurrent", message: "there is no current generation; switch to a number instead" }],
    ["-3", HOLES, 3, { _tag: "OutOfRange", message: "cannot switch to '-3': only 2 generations are older than the current one (3)" }],
    ["-2", HOLES, 2, { _tag: "OutOfRange", message: "cannot switch to '-2': only 1 generation is older than the current one (2)" }],
    ["-1", HOLES, 1, { _tag: "OutOfRange", message: "cannot switch to '-1': no generation is older than the current one (1)" }],
    ["+3", HOLES, 6, { _tag: "OutOfRange", message: "cannot switch to '+3': only 2 generations are newer than the current one (6)" }],
    ["+1", HOLES, 8, { _tag: "OutOfRange", message: "cannot switch to '+1': no generation is newer than the current one (8)" }],
    ["-5", HOLES, 4, { _tag: "OutOfRange", message: "cannot switch to '-5': only 3 generations are older than the current one (4)" }],
  ];
  for (const [text, existing, current, expected] of bad) {
    it(`'${text}' from ${current} in [${existing.join(",")}] is ${expected._tag}`, () => {
      expect(Spec.resolve(spec(text), existing, current)).toEqual(E.left(expected));
    });
  }
});

describe("Spec.previous", () => {
  it("is the newest existing generation below current", () => {
    expect(Spec.previous(HOLES, 8)).toEqual(E.right(7));
    expect(Spec.previous(HOLES, 5)).toEqual(E.right(3));
    expect(Spec.previous(HOLES, 4)).toEqual(E.right(3));
    expect(Spec.previous(HOLES, 20)).toEqual(E.right(8));
  });
  it("fails without an older generation or without a current one", () => {
    expect(Spec.previous(HOLES, 1)).toEqual(E.left({ _tag: "NothingOlder", message: "no generation older than the current one (1) exists" }));
    expect(Spec.previous([5], 5)).toEqual(E.left({ _tag: "NothingOlder", message: "no generation older than the current one (5) exists" }));
    expect(Spec.previous([], 3)).toEqual(E.left({ _tag: "NothingOlder", message: "no generation older than the current one (3) exists" }));
    expect(Spec.previous(HOLES, null)).toEqual(E.left({ _tag: "NoCurrent", message: "there is no current generation; switch to a number instead" }));
  });
});

// ---------------------------------------------------------------------------------------------------
// Laws

const arbExisting = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 25 }).map((ns) => [...ns].sort((a, b) => a - b));
/** Existing generations and a current one among them. */
const arbWithCurrent = arbExisting.chain((existing) => fc.constantFrom(...existing).map((current) => ({ existing, current })));

describe("Spec laws", () => {
  it("+k then -k returns to the start whenever +k is in range (and -k then +k likewise)", () => {
    fc.assert(
      fc.property(arbWithCurrent, fc.integer({ min: 0, max: 30 }), ({ existing, current }, k) => {
        for (const [there, back] of [[k, -k], [-k, k]] as const) {
          const r = Spec.resolve({ _tag: "Relative", offset: there }, existing, current);
          if (E.isRight(r)) expect(Spec.resolve({ _tag: "Relative", offset: back }, existing, r.right)).toEqual(E.right(current));
        }
      }),
    );
  });

  it("a relative move lands k positions away, or is out of range exactly when the list is too short", () => {
    fc.assert(
      fc.property(arbWithCurrent, fc.integer({ min: -30, max: 30 }), ({ existing, current }, offset) => {
        const i = existing.indexOf(current);
        const r = Spec.resolve({ _tag: "Relative", offset }, existing, current);
        const target = existing[i + offset];
        if (target === undefined) expect(E.isLeft(r) && r.left._tag).toBe("OutOfRange");
        else expect(r).toEqual(E.right(target));
      }),
    );
  });

  it("an absolute spec resolves exactly when the generation exists", () => {
    fc.assert(
      fc.property(arbExisting, fc.integer({ min: 0, max: 70 }), fc.option(fc.integer({ min: 1, max: 70 })), (existing, n, current) => {
        const r = Spec.resolve(spec(`${n}`), existing, current);
        expect(r).toEqual(existing.includes(n) ? E.right(n) : E.left({ _tag: "NoSuchGeneration", message: `generation ${n} does not exist; see 'switchyard list'` }));
      }),
    );
  });

  it("previous is below current with no existing generation strictly between", () => {
    fc.assert(
      fc.property(arbExisting, fc.integer({ min: 1, max: 70 }), (existing, current) => {
        const r = Spec.previous(existing, current);
        if (E.isRight(r)) {
          expect(existing).toContain(r.right);
          expect(r.right).toBeLessThan(current);
          expect(existing.some((n) => n > r.right && n < current)).toBe(false);
        } else {
          expect(r.left._tag).toBe("NothingOlder");
          expect(existing.some((n) => n < current)).toBe(false);
        }
      }),
    );
  });

  it("a list out of order or with repeats resolves as its sorted, unique copy does", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 25 }), fc.option(fc.integer({ min: 1, max: 40 })), fc.constantFrom("3", "-1", "-2", "+1", "0"), (given, current, text) => {
        const sorted = [...new Set(given)].sort((a, b) => a - b);
        expect(Spec.previous(given, current)).toEqual(Spec.previous(sorted, current));
        expect(Spec.resolve(spec(text), given, current)).toEqual(Spec.resolve(spec(text), sorted, current));
      }),
    );
  });

  it("previous agrees with '-1' when current exists", () => {
    fc.assert(
      fc.property(arbWithCurrent, ({ existing, current }) => {
        const prev = Spec.previous(existing, current);
        const minusOne = Spec.resolve(spec("-1"), existing, current);
        expect(E.isRight(prev)).toBe(E.isRight(minusOne));
        if (E.isRight(prev) && E.isRight(minusOne)) expect(prev.right).toBe(minusOne.right);
      }),
    );
  });

  it("parse accepts exactly an optional sign followed by ASCII digits", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), (text) => {
        const r = Spec.parse(text);
        expect(E.isRight(r)).toBe(/^[+-]?[0-9]+$/.test(text));
        if (E.isLeft(r)) expect(r.left.message.startsWith(`invalid generation spec '${text}': `)).toBe(true);
      }),
    );
  });
});

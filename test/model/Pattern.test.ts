import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Pattern from "../../packages/model/src/select/Pattern.js";

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);

const parsed = (text: string, context: Pattern.Context): Pattern.Pattern => {
  const r = Pattern.parse(text, context);
  if (E.isLeft(r)) throw new Error(`expected '${text}' to parse: ${r.left.message}`);
  return r.right;
};

const errorOf = (text: string, context: Pattern.Context): Pattern.PatternError => {
  const r = Pattern.parse(text, context);
  if (E.isRight(r)) throw new Error(`expected '${text}' to be refused, got ${JSON.stringify(r.right)}`);
  return r.left;
};

/** Generations with the given numbers, created one day apart, the last one `NOW - 1h`. */
const daily = (numbers: ReadonlyArray<number>): ReadonlyArray<Pattern.Candidate> =>
  numbers.map((number, i) => ({ number, createdMs: NOW - HOUR - (numbers.length - 1 - i) * DAY }));

const gens = (...numbers: ReadonlyArray<number>) => daily(numbers);

describe("Pattern.parse accepts", () => {
  const both: ReadonlyArray<[string, Pattern.Pattern]> = [
    ["1", { _tag: "Numbers", numbers: [1] }],
    ["007", { _tag: "Numbers", numbers: [7] }],
    ["0", { _tag: "Numbers", numbers: [0] }],
    ["5,3,9", { _tag: "Numbers", numbers: [5, 3, 9] }],
    ["3,5,3,1,5", { _tag: "Numbers", numbers: [3, 5, 1] }],
    ["2,02", { _tag: "Numbers", numbers: [2] }],
    [`${Number.MAX_SAFE_INTEGER}`, { _tag: "Numbers", numbers: [Number.MAX_SAFE_INTEGER] }],
    ["2..7", { _tag: "Range", from: 2, to: 7 }],
    ["4..4", { _tag: "Range", from: 4, to: 4 }],
    ["0..3", { _tag: "Range", from: 0, to: 3 }],
    ["3..", { _tag: "Range", from: 3, to: null }],
    ["..5", { _tag: "Range", from: null, to: 5 }],
    ["30s", { _tag: "Duration", text: "30s", ms: 30 * SECOND }],
    ["12h", { _tag: "Duration", text: "12h", ms: 12 * HOUR }],
    ["1d", { _tag: "Duration", text: "1d", ms: DAY }],
    ["2w", { _tag: "Duration", text: "2w", ms: 14 * DAY }],
    ["1m", { _tag: "Duration", text: "1m", ms: 30 * DAY }],
    ["0d", { _tag: "Duration", text: "0d", ms: 0 }],
  ];
  for (const [text, expected] of both) {
    it(`'${text}' in list and delete`, () => {
      expect(parsed(text, "list")).toEqual(expected);
      expect(parsed(text, "delete")).toEqual(expected);
    });
  }

  const deleteOnly: ReadonlyArray<[string, Pattern.Pattern]> = [
    ["+1", { _tag: "KeepNewest", count: 1 }],
    ["+3", { _tag: "KeepNewest", count: 3 }],
    ["+03", { _tag: "KeepNewest", count: 3 }],
    ["old", { _tag: "Old" }],
  ];
  for (const [text, expected] of deleteOnly) {
    it(`'${text}' in delete only`, () => {
      expect(parsed(text, "delete")).toEqual(expected);
      expect(errorOf(text, "list").message).toMatch(/only makes sense for delete$/);
    });
  }

  it("whatever parses is a value of the codec, which decodes to itself", () => {
    const text = fc.stringMatching(/^(old|\+?[0-9]{0,3}(\.\.|,)?[0-9]{0,3}[smhdwy]?)$/);
    fc.assert(
      fc.property(text, fc.constantFrom<Pattern.Context>("list", "delete"), (t, context) => {
        const r = Pattern.parse(t, context);
        if (E.isLeft(r)) return;
        expect(Pattern.Pattern.is(r.right)).toBe(true);
        expect(Pattern.Pattern.decode(r.right)).toEqual(E.right(r.right));
      }),
    );
  });
});

describe("Pattern.parse refuses", () => {
  const table: ReadonlyArray<[string, Pattern.Context, string | null]> = [
    ["", "list", "the pattern is empty"],
    ["", "delete", "the pattern is empty"],
    ["+1", "list", "'+N' only makes sense for delete"],
    ["old", "list", "'old' only makes sense for delete"],
    ["+0", "delete", "it would delete every generation, including the current one"],
    ["+0", "list", "'+N' only makes sense for delete"],
    ["1,,2", "delete", "a list element is empty"],
    ["1,2,", "list", "a list element is empty"],
    [",1", "list", "a list element is empty"],
    [",", "delete", "a list element is empty"],
    ["5..3", "list", "the range starts after it ends"],
    ["5..3", "delete", "the range starts after it ends"],
    ["..", "list", "a range needs at least one end"],
    ["3y", "delete", "unknown unit 'y'; use s, h, d, w (7 days) or m (30 days)"],
    ["3D", "list", "units are lowercase ('d'); use s, h, d, w (7 days) or m (30 days)"],
    ["3min", "list", "unknown unit 'min'; use s, h, d, w (7 days) or m (30 days)"],
    ["9007199254740992", "list", "9007199254740992 is too large to be a generation number"],
    ["1,99999999999999999999", "delete", "99999999999999999999 is too large to be a generation number"],
    ["1..99999999999999999999", "delete", "a range end is too large to be a generation number"],
    ["+99999999999999999999", "delete", "the count is too large"],
    ["999999999999999w", "delete", "the duration is too long"],
    // Forms Guix would read leniently or that are plain typos: only the generic reason.
    ["0x5", "list", null],
    ["#x5", "list", null],
    ["1.", "list", null],
    ["1.5", "list", null],
    [" 1", "list", null],
    ["1 ", "delete", null],
    ["1, 2", "delete", null],
    ["-1", "list", null],
    ["-1", "delete", null],
    ["1d2", "delete", null],
    ["d", "delete", null],
    ["abc", "list", null],
    ["OLD", "delete", null],
    ["+1,2", "delete", null],
    ["++1", "delete", null],
    ["1...3", "list", null],
    ["1..2..3", "list", null],
    ["1-3", "list", null],
    ["1e3", "list", null],
    ["١", "list", null],
  ];
  for (const [text, context, reason] of table) {
    it(`'${text}' in ${context}`, () => {
      const error = errorOf(text, context);
      expect(error._tag).toBe("InvalidPattern");
      expect(error.text).toBe(text);
      expect(error.message.startsWith(`invalid generation pattern '${text}'`)).toBe(true);
      if (reason !== null) expect(error.message).toBe(`invalid generation pattern '${text}': ${reason}`);
      else expect(error.message).toMatch(/: use N, N,M,\.\.\., N\.\.M, N\.\., \.\.M/);
    });
  }

  it("the generic reason lists +N and old only for delete", () => {
    expect(errorOf("abc", "delete").message).toMatch(/, \+N or old$/);
    expect(errorOf("abc", "list").message).not.toMatch(/old/);
  });
});

describe("Pattern.selectForList", () => {
  const holes = gens(1, 2, 3, 5, 6, 7, 8);
  const cases: ReadonlyArray<[string, ReadonlyArray<Pattern.Candidate>, ReadonlyArray<number>]> = [
    ["3", holes, [3]],
    ["4", holes, []],
    ["0", holes, []],
    ["7,2,4,5", holes, [7, 2, 5]],
    ["3..6", holes, [3, 5, 6]],
    ["4..4", holes, []],
    ["6..", holes, [6, 7, 8]],
    ["..3", holes, [1, 2, 3]],
    ["0..2", holes, [1, 2]],
    ["20..", holes, []],
    ["1", [], []],
  ];
  for (const [text, generations, expected] of cases) {
    it(`'${text}' selects ${JSON.stringify(expected)}`, () => {
      expect(Pattern.selectForList(parsed(text, "list"), generations, NOW)).toEqual(expected);
    });
  }

  it("a duration lists generations created within it, using exact time", () => {
    // Created 1h, 1d+1h, 2d+1h, ... ago (see `daily`).
    const g = gens(1, 2, 3, 4, 5);
    expect(Pattern.selectForList(parsed("2h", "list"), g, NOW)).toEqual([5]);
    expect(Pattern.selectForList(parsed("1d", "list"), g, NOW)).toEqual([5]);
    expect(Pattern.selectForList(parsed("2d", "list"), g, NOW)).toEqual([4, 5]);
    expect(Pattern.selectForList(parsed("1w", "list"), g, NOW)).toEqual([1, 2, 3, 4, 5]);
    expect(Pattern.selectForList(parsed("30s", "list"), g, NOW)).toEqual([]);
  });

  it("a generation created exactly at the cut-off is within the duration", () => {
    const g = [{ number: 1, createdMs: NOW - DAY }, { number: 2, createdMs: NOW - DAY + 1 }];
    expect(Pattern.selectForList(parsed("1d", "list"), g, NOW)).toEqual([1, 2]);
    expect(Pattern.selectForList(parsed("1d", "list"), g, NOW + 1)).toEqual([2]);
  });

  it("selects nothing for the delete-only patterns", () => {
    expect(Pattern.selectForList({ _tag: "Old" }, holes, NOW)).toEqual([]);
    expect(Pattern.selectForList({ _tag: "KeepNewest", count: 2 }, holes, NOW)).toEqual([]);
  });
});

describe("Pattern.selectForDelete", () => {
  const holes = gens(1, 2, 3, 5, 6, 7, 8);

  it("numbers and ranges match existing generations and keep current (the caller removes it)", () => {
    expect(Pattern.selectForDelete(parsed("7,4,2", "delete"), holes, 7, NOW)).toEqual([7, 2]);
    expect(Pattern.selectForDelete(parsed("2..6", "delete"), holes, 5, NOW)).toEqual([2, 3, 5, 6]);
    expect(Pattern.selectForDelete(parsed("..2", "delete"), holes, 5, NOW)).toEqual([1, 2]);
    expect(Pattern.selectForDelete(parsed("7..", "delete"), holes, null, NOW)).toEqual([7, 8]);
  });

  it("a duration deletes the older generations except the newest of them", () => {
    // Ages: 1→6d+1h, 2→5d+1h, 3→4d+1h, 5→3d+1h, 6→2d+1h, 7→1d+1h, 8→1h.
    expect(Pattern.selectForDelete(parsed("3d", "delete"), holes, 8, NOW)).toEqual([1, 2, 3]);
    expect(Pattern.selectForDelete(parsed("1d", "delete"), holes, 8, NOW)).toEqual([1, 2, 3, 5, 6]);
    expect(Pattern.selectForDelete(parsed("25h", "delete"), holes, 8, NOW)).toEqual([1, 2, 3, 5]);
    expect(Pattern.selectForDelete(parsed("2h", "delete"), holes, 8, NOW)).toEqual([1, 2, 3, 5, 6]);
    expect(Pattern.selectForDelete(parsed("6d", "delete"), holes, 8, NOW)).toEqual([]);
    expect(Pattern.selectForDelete(parsed("1w", "delete"), holes, 8, NOW)).toEqual([]);
  });

  it("a duration keeps the highest-numbered older generation even when clocks went backwards", () => {
    const g = [
      { number: 1, createdMs: NOW - 5 * DAY },
      { number: 2, createdMs: NOW - 9 * DAY },
      { number: 3, createdMs: NOW - 7 * DAY },
      { number: 4, createdMs: NOW - HOUR },
    ];
    expect(Pattern.selectForDelete(parsed("1d", "delete"), g, 4, NOW)).toEqual([1, 2]);
  });

  it("a generation created exactly at the cut-off is not older", () => {
    const g = [{ number: 1, createdMs: NOW - 3 * DAY }, { number: 2, createdMs: NOW - 2 * DAY }, { number: 3, createdMs: NOW - DAY }];
    expect(Pattern.selectForDelete(parsed("1d", "delete"), g, 3, NOW)).toEqual([1]);
  });

  const keep: ReadonlyArray<[string, number | null, ReadonlyArray<number>]> = [
    ["+1", 8, [1, 2, 3, 5, 6, 7]],
    ["+3", 8, [1, 2, 3, 5]],
    ["+3", 6, [1, 2]], // 7 and 8 are newer than current: untouched and not counted
    ["+2", 5, [1, 2]],
    ["+3", 5, [1]],
    ["+4", 5, []],
    ["+10", 8, []],
    ["+1", 1, []],
    ["+2", 4, [1]], // current's link vanished: keep the two newest below it
    ["+2", null, [1, 2, 3, 5, 6]],
  ];
  for (const [text, current, expected] of keep) {
    it(`'${text}' with current ${current} selects ${JSON.stringify(expected)}`, () => {
      expect(Pattern.selectForDelete(parsed(text, "delete"), holes, current, NOW)).toEqual(expected);
    });
  }

  it("a hand-built +0 still keeps the current generation", () => {
    expect(Pattern.selectForDelete({ _tag: "KeepNewest", count: 0 }, holes, 6, NOW)).toEqual([1, 2, 3, 5]);
  });

  it("'old' selects everything but current, newer ones included", () => {
    expect(Pattern.selectForDelete(parsed("old", "delete"), holes, 6, NOW)).toEqual([1, 2, 3, 5, 7, 8]);
    expect(Pattern.selectForDelete(parsed("old", "delete"), holes, 4, NOW)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(Pattern.selectForDelete(parsed("old", "delete"), holes, null, NOW)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(Pattern.selectForDelete(parsed("old", "delete"), gens(3), 3, NOW)).toEqual([]);
  });

  it("does not depend on the order generations are passed in", () => {
    const shuffled = [holes[4]!, holes[0]!, holes[6]!, holes[2]!, holes[1]!, holes[5]!, holes[3]!];
    for (const text of ["2..6", "1d", "+3", "old"]) {
      const p = parsed(text, "delete");
      expect(Pattern.selectForDelete(p, shuffled, 7, NOW)).toEqual(Pattern.selectForDelete(p, holes, 7, NOW));
    }
  });
});

describe("Pattern.describe", () => {
  const table: ReadonlyArray<[string, string]> = [
    ["3", "generation 3"],
    ["3,5", "generations 3, 5"],
    ["2..7", "generations 2 to 7"],
    ["4..4", "generation 4"],
    ["4..", "generations 4 and newer"],
    ["..4", "generations up to 4"],
    ["30d", "generations older than 30d"],
    ["+3", "all but the newest 3"],
    ["+1", "all but the newest generation"],
    ["old", "all but the current generation"],
  ];
  for (const [text, phrase] of table) {
    it(`'${text}' reads "${phrase}"`, () => {
      expect(Pattern.describe(parsed(text, "delete"))).toBe(phrase);
    });
  }
  it("a duration for list reads as recent", () => {
    expect(Pattern.describe(parsed("2w", "list"), "list")).toBe("generations created in the last 2w");
  });
});

// ---------------------------------------------------------------------------------------------------
// Laws

/** Distinct ascending generation numbers with arbitrary creation times. */
const arbGenerations = fc
  .uniqueArray(fc.record({ number: fc.integer({ min: 1, max: 40 }), createdMs: fc.integer({ min: NOW - 60 * DAY, max: NOW }) }), {
    selector: (g) => g.number,
    maxLength: 20,
  })
  .map((gs) => [...gs].sort((a, b) => a.number - b.number));

/** Same, with creation times increasing with the number, as a well-behaved clock produces. */
const arbMonotonic = arbGenerations.map((gs) => {
  const times = gs.map((g) => g.createdMs).sort((a, b) => a - b);
  return gs.map((g, i) => ({ number: g.number, createdMs: times[i]! }));
});

const arbPatternText = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 45 }), { minLength: 1, maxLength: 6 }).map((ns) => ns.join(",")),
  fc.tuple(fc.integer({ min: 0, max: 45 }), fc.integer({ min: 0, max: 45 })).map(([a, b]) => `${Math.min(a, b)}..${Math.max(a, b)}`),
  fc.integer({ min: 0, max: 45 }).map((n) => `${n}..`),
  fc.integer({ min: 0, max: 45 }).map((n) => `..${n}`),
  fc.tuple(fc.integer({ min: 0, max: 100 }), fc.constantFrom("s", "h", "d", "w", "m")).map(([n, u]) => `${n}${u}`),
  fc.integer({ min: 1, max: 25 }).map((n) => `+${n}`),
  fc.constant("old"),
);

const arbCurrent = (gs: ReadonlyArray<Pattern.Candidate>) =>
  fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 45 }), ...(gs.length > 0 ? [fc.constantFrom(...gs.map((g) => g.number))] : []));

const withCurrent = arbGenerations.chain((gs) => arbCurrent(gs).map((current) => ({ gs, current })));

describe("Pattern laws", () => {
  it("selections are duplicate-free subsets of the existing generations", () => {
    fc.assert(
      fc.property(withCurrent, arbPatternText, ({ gs, current }, text) => {
        const existing = new Set(gs.map((g) => g.number));
        const selections = [Pattern.selectForDelete(parsed(text, "delete"), gs, current, NOW)];
        const forList = Pattern.parse(text, "list");
        if (E.isRight(forList)) selections.push(Pattern.selectForList(forList.right, gs, NOW));
        for (const s of selections) {
          expect(s.every((n) => existing.has(n))).toBe(true);
          expect(new Set(s).size).toBe(s.length);
        }
      }),
    );
  });

  it("range selections are ascending and number lists keep the written order", () => {
    fc.assert(
      fc.property(arbGenerations, fc.array(fc.integer({ min: 0, max: 45 }), { minLength: 1, maxLength: 8 }), (gs, ns) => {
        const existing = new Set(gs.map((g) => g.number));
        const expected = [...new Set(ns)].filter((n) => existing.has(n));
        expect(Pattern.selectForList(parsed(ns.join(","), "list"), gs, NOW)).toEqual(expected);
        const lo = Math.min(...ns);
        const hi = Math.max(...ns);
        const range = Pattern.selectForList(parsed(`${lo}..${hi}`, "list"), gs, NOW);
        expect(range).toEqual(gs.map((g) => g.number).filter((n) => n >= lo && n <= hi));
      }),
    );
  });

  it("a duration splits generations into listed-within and older; delete keeps exactly the newest older one", () => {
    fc.assert(
      fc.property(arbGenerations, fc.integer({ min: 0, max: 70 }), fc.constantFrom("h", "d"), (gs, n, unit) => {
        const text = `${n}${unit}`;
        const within = Pattern.selectForList(parsed(text, "list"), gs, NOW);
        const deleted = Pattern.selectForDelete(parsed(text, "delete"), gs, null, NOW);
        const withinSet = new Set(within);
        const older = gs.map((g) => g.number).filter((x) => !withinSet.has(x));
        // Within and older are disjoint and cover everything, and both are ascending.
        expect([...within, ...older].sort((a, b) => a - b)).toEqual(gs.map((g) => g.number));
        expect(within).toEqual([...within].sort((a, b) => a - b));
        // Every older one is really older than the cut-off, every listed one is not.
        const cutoff = NOW - n * (unit === "h" ? HOUR : DAY);
        for (const g of gs) expect(withinSet.has(g.number)).toBe(g.createdMs >= cutoff);
        expect(deleted).toEqual(older.slice(0, -1));
        if (older.length > 0) expect(deleted).not.toContain(Math.max(...older));
      }),
    );
  });

  it("with a monotonic clock, a duration delete leaves a contiguous tail of generations", () => {
    fc.assert(
      fc.property(arbMonotonic, fc.integer({ min: 0, max: 70 }), (gs, days) => {
        const deleted = new Set(Pattern.selectForDelete(parsed(`${days}d`, "delete"), gs, null, NOW));
        const kept = gs.map((g) => g.number).filter((n) => !deleted.has(n));
        // Everything deleted is below everything kept.
        for (const d of deleted) for (const k of kept) expect(d).toBeLessThan(k);
      }),
    );
  });

  it("+N never selects current or anything newer and keeps min(N, #≤current) of the ones up to current", () => {
    fc.assert(
      fc.property(withCurrent, fc.integer({ min: 1, max: 25 }), ({ gs, current }, count) => {
        const selected = Pattern.selectForDelete(parsed(`+${count}`, "delete"), gs, current, NOW);
        const upTo = gs.map((g) => g.number).filter((n) => current === null || n <= current);
        for (const n of selected) {
          if (current !== null) expect(n).toBeLessThan(current);
          expect(upTo).toContain(n);
        }
        expect(upTo.length - selected.length).toBe(Math.min(count, upTo.length));
        // The kept ones are the newest: everything selected is older than everything kept.
        const kept = upTo.filter((n) => !selected.includes(n));
        if (selected.length > 0) expect(Math.max(...selected)).toBeLessThan(Math.min(...kept));
      }),
    );
  });

  it("'old' selects exactly the existing generations other than current", () => {
    fc.assert(
      fc.property(withCurrent, ({ gs, current }) => {
        const selected = Pattern.selectForDelete({ _tag: "Old" }, gs, current, NOW);
        expect(selected).toEqual(gs.map((g) => g.number).filter((n) => n !== current));
      }),
    );
  });

  it("every refusal names the pattern as given", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.constantFrom<Pattern.Context>("list", "delete"), (text, context) => {
        const r = Pattern.parse(text, context);
        if (E.isLeft(r)) expect(r.left.message.startsWith(`invalid generation pattern '${text}'`)).toBe(true);
        else expect(Pattern.Pattern.is(r.right)).toBe(true);
      }),
    );
  });

  it("only ASCII digits, '.', ',', '+', lowercase units and 'old' ever parse", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (text) => {
        if (E.isRight(Pattern.parse(text, "delete"))) expect(text).toMatch(/^(old|[0-9.,+]*[shdwm]?)$/);
      }),
    );
  });
});

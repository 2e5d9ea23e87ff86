/**
 * Generation patterns, as typed after `switchyard list` and `switchyard delete`: a number or comma list,
 * a range, a duration, and for delete only `+N` (keep the newest N) and `old`. The grammar is Guix's
 * with its lax number reading removed (`^[0-9]+$` only, so a typo is an error, never a surprise match),
 * and durations use exact time instead of Guix's local-midnight rounding, so no time zone is involved.
 * Delete semantics for durations, `+N` and `old` follow Nix. Selection is pure: the caller passes the
 * observed generations and `now`, and removes the current and booted generations itself (with a warning).
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";

export type Context = "list" | "delete";

const tagged = <Tag extends string, P extends t.Props>(tag: Tag, props: P) =>
  t.readonly(t.type({ _tag: t.literal(tag), ...props }, tag));

/** "N" or "N,M,...": written order kept, duplicates dropped. */
export const Numbers = tagged("Numbers", { numbers: t.readonlyArray(t.number) });
/** "N..M" inclusive, "N..", "..M". */
export const Range = tagged("Range", { from: t.union([t.number, t.null]), to: t.union([t.number, t.null]) });
/** "<digits><unit>"; `text` is kept so messages show what the user wrote. */
export const Duration = tagged("Duration", { text: t.string, ms: t.number });
/** "+N": delete all but the newest N up to the current generation. */
export const KeepNewest = tagged("KeepNewest", { count: t.number });
/** "old": delete all but the current generation. */
export const Old = tagged("Old", {});

export const Pattern = t.union([Numbers, Range, Duration, KeepNewest, Old], "Pattern");
export type Pattern = t.TypeOf<typeof Pattern>;

export interface PatternError {
  readonly _tag: "InvalidPattern";
  readonly text: string;
  readonly message: string;
}

/** A generation as selection needs it; callers pass them ascending by number. */
export interface Candidate {
  readonly number: number;
  readonly createdMs: number;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;
// `m` is 30 days, not minutes nor calendar months: Guix's meaning, kept so muscle memory transfers.
const UNIT_MS: Readonly<Record<string, number>> = { s: SECOND, h: 3600 * SECOND, d: DAY, w: 7 * DAY, m: 30 * DAY };

const DIGITS = /^[0-9]+$/;
const RANGE = /^([0-9]*)\.\.([0-9]*)$/;
const DURATION_LIKE = /^([0-9]+)([A-Za-z]+)$/;
const KEEP_LIKE = /^\+([0-9]+)$/;

const invalid = (text: string, reason: string): E.Either<PatternError, never> =>
  E.left({ _tag: "InvalidPattern", text, message: `invalid generation pattern '${text}': ${reason}` });

const forms = (context: Context): string =>
  context === "list"
    ? "use N, N,M,..., N..M, N.., ..M or a duration such as 30d"
    : "use N, N,M,..., N..M, N.., ..M, a duration such as 30d, +N or old";

/** Decimal digits as a safe integer, or null when too large to be exact. */
const digitsValue = (digits: string): number | null => {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
};

const parseNumbers = (text: string): E.Either<PatternError, Pattern> | null => {
  const parts = text.split(",");
  if (!parts.every((p) => DIGITS.test(p))) {
    // Only a list of digits with a hole in it earns the pointed message; anything else is generic.
    return parts.length > 1 && parts.every((p) => p === "" || DIGITS.test(p)) ? invalid(text, "a list element is empty") : null;
  }
  const numbers: Array<number> = [];
  const seen = new Set<number>();
  for (const part of parts) {
    const n = digitsValue(part);
    if (n === null) return invalid(text, `${part} is too large to be a generation number`);
    if (!seen.has(n)) {
      seen.add(n);
      numbers.push(n);
    }
  }
  return E.right({ _tag: "Numbers", numbers });
};

const parseRange = (text: string): E.Either<PatternError, Pattern> | null => {
  const m = RANGE.exec(text);
  if (m === null) return null;
  const [fromText = "", toText = ""] = [m[1], m[2]];
  if (fromText === "" && toText === "") return invalid(text, "a range needs at least one end");
  const from = fromText === "" ? null : digitsValue(fromText);
  const to = toText === "" ? null : digitsValue(toText);
  if ((fromText !== "" && from === null) || (toText !== "" && to === null)) {
    return invalid(text, "a range end is too large to be a generation number");
  }
  if (from !== null && to !== null && from > to) return invalid(text, "the range starts after it ends");
  return E.right({ _tag: "Range", from, to });
};

const parseDuration = (text: string): E.Either<PatternError, Pattern> | null => {
  const m = DURATION_LIKE.exec(text);
  if (m === null) return null;
  const [digits = "", unit = ""] = [m[1], m[2]];
  const unitMs = UNIT_MS[unit];
  if (unitMs === undefined) {
    const hint = UNIT_MS[unit.toLowerCase()] !== undefined ? `units are lowercase ('${unit.toLowerCase()}')` : `unknown unit '${unit}'`;
    return invalid(text, `${hint}; use s, h, d, w (7 days) or m (30 days)`);
  }
  const n = digitsValue(digits);
  const ms = n === null ? Number.NaN : n * unitMs;
  if (!Number.isSafeInteger(ms)) return invalid(text, "the duration is too long");
  return E.right({ _tag: "Duration", text, ms });
};

const parseKeepNewest = (text: string, context: Context): E.Either<PatternError, Pattern> | null => {
  const m = KEEP_LIKE.exec(text);
  if (m === null) return null;
  if (context === "list") return invalid(text, "'+N' only makes sense for delete");
  const count = digitsValue(m[1] ?? "");
  if (count === null) return invalid(text, "the count is too large");
  if (count === 0) return invalid(text, "it would delete every generation, including the current one");
  return E.right({ _tag: "KeepNewest", count });
};

export const parse = (text: string, context: Context): E.Either<PatternError, Pattern> => {
  if (text === "") return invalid(text, "the pattern is empty");
  if (text === "old") return context === "list" ? invalid(text, "'old' only makes sense for delete") : E.right({ _tag: "Old" });
  return (
    parseKeepNewest(text, context) ??
    parseNumbers(text) ??
    parseRange(text) ??
    parseDuration(text) ??
    invalid(text, forms(context))
  );
};

// ---------------------------------------------------------------------------------------------------
// Selection

const ascending = (generations: ReadonlyArray<Candidate>): ReadonlyArray<Candidate> =>
  // Callers promise ascending order; sorting a copy anyway keeps "newest = last" true if one forgets.
  [...generations].sort((a, b) => a.number - b.number);

const numbersOf = (generations: ReadonlyArray<Candidate>): ReadonlyArray<number> => generations.map((g) => g.number);

/** Numbers and ranges select the same way for list and delete. */
const selectByNumber = (pattern: Pattern, generations: ReadonlyArray<Candidate>): ReadonlyArray<number> | null => {
  switch (pattern._tag) {
    case "Numbers": {
      const existing = new Set(numbersOf(generations));
      const written = [...new Set(pattern.numbers)];
      return written.filter((n) => existing.has(n));
    }
    case "Range": {
      const { from, to } = pattern;
      return numbersOf(ascending(generations)).filter((n) => (from === null || n >= from) && (to === null || n <= to));
    }
    default:
      return null;
  }
};

export const selectForList = (pattern: Pattern, generations: ReadonlyArray<Candidate>, nowMs: number): ReadonlyArray<number> => {
  const byNumber = selectByNumber(pattern, generations);
  if (byNumber !== null) return byNumber;
  switch (pattern._tag) {
    case "Duration": {
      const cutoff = nowMs - pattern.ms;
      return numbersOf(ascending(generations).filter((g) => g.createdMs >= cutoff));
    }
    default:
      // `parse` refuses `+N` and `old` for list; nothing matches rather than guessing a meaning.
      return [];
  }
};

export const selectForDelete = (
  pattern: Pattern,
  generations: ReadonlyArray<Candidate>,
  current: number | null,
  nowMs: number,
): ReadonlyArray<number> => {
  const byNumber = selectByNumber(pattern, generations);
  if (byNumber !== null) return byNumber;
  const sorted = ascending(generations);
  switch (pattern._tag) {
    case "Duration": {
      const cutoff = nowMs - pattern.ms;
      const older = numbersOf(sorted.filter((g) => g.createdMs < cutoff));
      // The newest of the older ones was in use at the cut-off; keeping it lets you roll back to that moment.
      return older.slice(0, -1);
    }
    case "KeepNewest": {
      // Generations newer than current are never counted nor touched (you may switch forward to them).
      const upToCurrent = numbersOf(current === null ? sorted : sorted.filter((g) => g.number <= current));
      // At least one is kept so a hand-built `+0` cannot select the current generation.
      const keep = Math.max(1, pattern.count);
      return upToCurrent.slice(0, Math.max(0, upToCurrent.length - keep));
    }
    case "Old":
      return numbersOf(sorted.filter((g) => g.number !== current));
    default:
      return [];
  }
};

// ---------------------------------------------------------------------------------------------------
// Description

const listed = (numbers: ReadonlyArray<number>): string =>
  numbers.length === 1 ? `generation ${numbers[0]}` : `generations ${numbers.join(", ")}`;

/**
 * A short phrase for reports ("deleting generations 2 to 7"). A duration reads differently for list
 * (created within) and delete (older than), hence the context; delete is the default because that is
 * where a confirmation needs the phrase.
 */
export const describe = (p: Pattern, context: Context = "delete"): string => {
  switch (p._tag) {
    case "Numbers":
      return listed(p.numbers);
    case "Range":
      if (p.from !== null && p.to !== null) return p.from === p.to ? `generation ${p.from}` : `generations ${p.from} to ${p.to}`;
      if (p.from !== null) return `generations ${p.from} and newer`;
      return `generations up to ${p.to}`;
    case "Duration":
      return context === "list" ? `generations created in the last ${p.text}` : `generations older than ${p.text}`;
    case "KeepNewest":
      return p.count === 1 ? "all but the newest generation" : `all but the newest ${p.count}`;
    case "Old":
      return "all but the current generation";
  }
};

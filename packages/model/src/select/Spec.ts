/**
 * Switch targets, as typed after `switchyard plan switch`: an absolute generation number `N`, or a
 * move of `+K` / `-K` positions from the current generation, and the rollback target. Relative moves
 * count positions among the existing generations, as Guix does, so deleted generations are stepped
 * over instead of being landed on. Resolution is pure: the caller passes what it observed.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";

const tagged = <Tag extends string, P extends t.Props>(tag: Tag, props: P) =>
  t.readonly(t.type({ _tag: t.literal(tag), ...props }, tag));

/** "N". Not a `GenerationNumber`: "0" parses, and fails later as a generation that does not exist. */
export const Absolute = tagged("Absolute", { number: t.number });
/** "+K" (offset K) or "-K" (offset -K). */
export const Relative = tagged("Relative", { offset: t.number });

export const Spec = t.union([Absolute, Relative], "Spec");
export type Spec = t.TypeOf<typeof Spec>;

export interface SpecError {
  readonly _tag: "InvalidSpec" | "NoSuchGeneration" | "OutOfRange" | "NoCurrent" | "NothingOlder";
  readonly message: string;
}

const fail = (_tag: SpecError["_tag"], message: string): E.Either<SpecError, never> => E.left({ _tag, message });

const SPEC = /^([+-]?)([0-9]+)$/;

export const parse = (text: string): E.Either<SpecError, Spec> => {
  const m = SPEC.exec(text);
  if (m === null) return fail("InvalidSpec", `invalid generation spec '${text}': use N, +K or -K`);
  const [sign = "", digits = ""] = [m[1], m[2]];
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) return fail("InvalidSpec", `invalid generation spec '${text}': the number is too large`);
  if (sign === "") return E.right({ _tag: "Absolute", number: n });
  // `0` rather than `-0`, so "-0" and "+0" are the same value and print alike.
  return E.right({ _tag: "Relative", offset: sign === "-" && n !== 0 ? -n : n });
};

/** How a spec is written back in messages. */
export const show = (spec: Spec): string =>
  spec._tag === "Absolute" ? `${spec.number}` : spec.offset < 0 ? `${spec.offset}` : `+${spec.offset}`;

const sortedUnique = (existing: ReadonlyArray<number>): ReadonlyArray<number> => {
  // Callers promise ascending order, checked in one pass (no copy of 10,000 numbers); a sorted
  // copy keeps position arithmetic right if one forgets.
  for (let i = 1; i < existing.length; i++) {
    if (!((existing[i - 1] as number) < (existing[i] as number))) return [...new Set(existing)].sort((a, b) => a - b);
  }
  return existing;
};

const noCurrent = (): E.Either<SpecError, never> => fail("NoCurrent", "there is no current generation; switch to a number instead");

const noSuch = (n: number): E.Either<SpecError, never> => fail("NoSuchGeneration", `generation ${n} does not exist; see 'switchyard list'`);

const howMany = (count: number, side: "older" | "newer", current: number): string =>
  count === 0
    ? `no generation is ${side} than the current one (${current})`
    : count === 1
      ? `only 1 generation is ${side} than the current one (${current})`
      : `only ${count} generations are ${side} than the current one (${current})`;

export const resolve = (spec: Spec, existing: ReadonlyArray<number>, current: number | null): E.Either<SpecError, number> => {
  const sorted = sortedUnique(existing);
  if (spec._tag === "Absolute") return sorted.includes(spec.number) ? E.right(spec.number) : noSuch(spec.number);
  if (current === null) return noCurrent();
  // Current is excluded from both sides, so a vanished current link still counts from where it would sit.
  const older = sorted.filter((n) => n < current);
  const newer = sorted.filter((n) => n > current);
  const k = Math.abs(spec.offset);
  if (k === 0) return sorted.includes(current) ? E.right(current) : noSuch(current);
  const side = spec.offset < 0 ? older : newer;
  const target = spec.offset < 0 ? older[older.length - k] : newer[k - 1];
  return target === undefined
    ? fail("OutOfRange", `cannot switch to '${show(spec)}': ${howMany(side.length, spec.offset < 0 ? "older" : "newer", current)}`)
    : E.right(target);
};

/** The rollback target: the newest existing generation below the current one. */
export const previous = (existing: ReadonlyArray<number>, current: number | null): E.Either<SpecError, number> => {
  if (current === null) return noCurrent();
  const sorted = sortedUnique(existing);
  let at = sorted.length - 1;
  while (at >= 0 && (sorted[at] as number) >= current) at--;
  const target = sorted[at];
  return target === undefined ? fail("NothingOlder", `no generation older than the current one (${current}) exists`) : E.right(target);
};

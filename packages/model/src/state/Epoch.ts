/**
 * Data epochs, with snapd's syntax and rules (snap/epoch.go): a revision says which data formats
 * it can read and which it writes, so a transition can tell whether the target can read the data
 * on disk. Written as `N` (reads and writes N), `N*` (reads N-1 and N, writes N: it migrates) or
 * `{"read": [...], "write": [...]}`; missing, null, "" and {} are epoch 0. The normal form is the
 * explicit `{read, write}` pair; `display` gives the shortest spelling back.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";

export interface Epoch {
  readonly read: ReadonlyArray<number>;
  readonly write: ReadonlyArray<number>;
}

export const zero: Epoch = { read: [0], write: [0] };

/** snapd's own wording, so a message reads the same here as there. */
export const Messages = {
  zeroStar: "0* is an invalid epoch",
  huge: (s: string) => `epoch numbers must be less than 2³², but got '${s}'`,
  badNumber: (s: string) => `epoch numbers must be base 10 with no zero padding, but got '${s}'`,
  empty: "epoch list cannot be explicitly empty",
  notIncreasing: "epoch list must be a strictly increasing sequence",
  tooLong: "epoch list must not have more than 10 entries",
  disjoint: "epoch read and write lists must have a non-empty intersection",
  shape: `expected an epoch: "N", "N*" or {"read": [...], "write": [...]}`,
} as const;

const MAX_ENTRIES = 10;
const LIMIT = 2 ** 32;
const DIGITS = /^(?:0|[1-9][0-9]*)$/;

const number = (s: string): E.Either<string, number> => {
  if (!DIGITS.test(s)) return E.left(Messages.badNumber(s));
  const n = Number(s);
  return n < LIMIT ? E.right(n) : E.left(Messages.huge(s));
};

/** `N` or `N*`; the empty string and "0" are epoch 0. */
export const fromString = (s: string): E.Either<string, Epoch> => {
  if (s === "" || s === "0") return E.right(zero);
  const star = s.endsWith("*");
  const n = number(star ? s.slice(0, -1) : s);
  if (E.isLeft(n)) return n;
  if (!star) return E.right({ read: [n.right], write: [n.right] });
  return n.right === 0 ? E.left(Messages.zeroStar) : E.right({ read: [n.right - 1, n.right], write: [n.right] });
};

const list = (u: unknown): E.Either<string, ReadonlyArray<number> | null> => {
  if (u === undefined || u === null) return E.right(null);
  if (!Array.isArray(u)) return E.left(Messages.shape);
  const out: Array<number> = [];
  for (const x of u as ReadonlyArray<unknown>) {
    if (typeof x !== "number" || !Number.isInteger(x) || x < 0) return E.left(Messages.badNumber(JSON.stringify(x) ?? String(x)));
    if (x >= LIMIT) return E.left(Messages.huge(String(x)));
    out.push(x);
  }
  return E.right(out);
};

const increasing = (xs: ReadonlyArray<number>): boolean => xs.every((x, i) => i === 0 || (xs[i - 1] as number) < x);

/** The rules every epoch obeys, whichever way it was written. */
export const validate = (e: Epoch): E.Either<string, Epoch> => {
  if (e.read.length === 0 || e.write.length === 0) return E.left(Messages.empty);
  if (e.read.length > MAX_ENTRIES || e.write.length > MAX_ENTRIES) return E.left(Messages.tooLong);
  if (!increasing(e.read) || !increasing(e.write)) return E.left(Messages.notIncreasing);
  if (!intersects(e.read, e.write)) return E.left(Messages.disjoint);
  return E.right(e);
};

/** `{read?, write?}`: only write ⇒ read = write; only read ⇒ write = [last read]; neither ⇒ 0. */
export const fromStructured = (u: object): E.Either<string, Epoch> => {
  const keys = Object.keys(u).filter((k) => k !== "read" && k !== "write");
  if (keys.length > 0) return E.left(`unknown field '${keys[0] ?? ""}' in an epoch; use read and write`);
  const o = u as { readonly read?: unknown; readonly write?: unknown };
  const read = list(o.read);
  if (E.isLeft(read)) return read;
  const write = list(o.write);
  if (E.isLeft(write)) return write;
  if (read.right !== null && read.right.length === 0) return E.left(Messages.empty);
  if (write.right !== null && write.right.length === 0) return E.left(Messages.empty);
  const w = write.right ?? (read.right === null ? [0] : read.right.slice(-1));
  const r = read.right ?? w;
  return validate({ read: r, write: w });
};

/** Any accepted spelling (a bare non-negative integer counts as `N`, as YAML's `epoch: 1` does for snap). */
export const parse = (u: unknown): E.Either<string, Epoch> => {
  if (u === undefined || u === null) return E.right(zero);
  if (typeof u === "string") return fromString(u);
  if (typeof u === "number") return Number.isInteger(u) && u >= 0 ? fromString(String(u)) : E.left(Messages.badNumber(String(u)));
  if (typeof u === "object" && !Array.isArray(u)) return fromStructured(u);
  return E.left(Messages.shape);
};

const intersects = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => a.some((x) => b.includes(x));

/** Whether a revision with epoch `reader` can read data written by a revision with epoch `writer`. */
export const canRead = (reader: Epoch, writer: Epoch): boolean => intersects(reader.read, writer.write);

/** Whether data in format `format` (the epoch the data on disk is in) is readable by `reader`. */
export const readsFormat = (reader: Epoch, format: number): boolean => reader.read.includes(format);

export const equals = (a: Epoch, b: Epoch): boolean =>
  a.read.length === b.read.length && a.write.length === b.write.length && a.read.every((x, i) => b.read[i] === x) && a.write.every((x, i) => b.write[i] === x);

/** The shortest form: `0`, `N`, `N*`, otherwise compact JSON. */
export const display = (e: Epoch): string => {
  const [r0, r1] = e.read;
  const [w0] = e.write;
  if (e.write.length === 1 && e.read.length === 1 && r0 === w0) return String(w0);
  if (e.write.length === 1 && e.read.length === 2 && r0 !== undefined && r0 + 1 === r1 && r1 === w0) return `${w0}*`;
  return JSON.stringify({ read: e.read, write: e.write });
};

const explicit = (u: unknown): E.Either<string, Epoch> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return E.left(`expected an epoch {"read": [...], "write": [...]}`);
  const extra = Object.keys(u).find((k) => k !== "read" && k !== "write");
  if (extra !== undefined) return E.left(`unknown field '${extra}' in an epoch; use read and write`);
  const o = u as { readonly read?: unknown; readonly write?: unknown };
  if (o.read === undefined || o.write === undefined) return E.left(`an epoch here spells out both read and write`);
  const read = list(o.read);
  if (E.isLeft(read)) return read;
  const write = list(o.write);
  if (E.isLeft(write)) return write;
  if (read.right === null || write.right === null) return E.left(Messages.empty);
  return validate({ read: read.right, write: write.right });
};

/** The explicit form in JSON (what plans and `describe --json` carry); decoding checks the rules. */
export const EpochCodec = new t.Type<Epoch, { readonly read: ReadonlyArray<number>; readonly write: ReadonlyArray<number> }, unknown>(
  "Epoch",
  (u): u is Epoch => E.isRight(explicit(u)),
  (u, c) => {
    const r = explicit(u);
    return E.isLeft(r) ? t.failure(u, c, r.left) : t.success(u as Epoch);
  },
  (e) => ({ read: [...e.read], write: [...e.write] }),
);

/** An epoch as a manifest may write it: checked, kept as written (`normal` gives the explicit form). */
export type EpochInput = string | number | null | { readonly read?: ReadonlyArray<number>; readonly write?: ReadonlyArray<number> };

export const EpochSyntax = new t.Type<EpochInput, EpochInput, unknown>(
  "epoch",
  (u): u is EpochInput => E.isRight(parse(u)),
  (u, c) => {
    const r = parse(u);
    return E.isLeft(r) ? t.failure(u, c, r.left) : t.success(u as EpochInput);
  },
  (a) => a,
);

/** The explicit form of a checked input (epoch 0 should it not parse, which a decoded input always does). */
export const normal = (input: EpochInput | undefined): Epoch => {
  const r = parse(input);
  return E.isRight(r) ? r.right : zero;
};

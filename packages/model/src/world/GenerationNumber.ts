/**
 * Generation numbers: positive integers written in plain decimal, as in `system-7-link`.
 * Guix reads "+1", "01" and "#x5" as numbers; we accept `^[0-9]+$` only, so a typo is an error.
 * The largest is `MAX`.
 */
import * as O from "fp-ts/lib/Option.js";
import * as t from "io-ts";

declare const GenerationNumberBrand: unique symbol;
export type GenerationNumber = number & { readonly [GenerationNumberBrand]: true };

/**
 * The largest generation number, 2^31 - 1: every tool that reads `system-N-link` names (a C
 * `int`, a shell's arithmetic, a JSON reader) reads every number up to it exactly, and a profile
 * that adds one generation a second takes 68 years to get there. Past it a link is malformed and
 * `add` refuses, rather than numbers that some reader would wrap or round.
 */
export const MAX = 2_147_483_647;

const DIGITS = /^[0-9]+$/;
const LINK_SUFFIX = "-link";

/** Parse a number as a user writes it; leading zeros are refused (`01` is not a generation). */
export const parse = (text: string): O.Option<GenerationNumber> => {
  if (!DIGITS.test(text)) return O.none;
  if (text.length > 1 && text.startsWith("0")) return O.none;
  const n = Number(text);
  return isValid(n) ? O.some(n as GenerationNumber) : O.none;
};

const isValid = (n: unknown): n is GenerationNumber => typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX;

/** The number after `n`, or null when `n` is `MAX`. */
export const next = (n: GenerationNumber | null): GenerationNumber | null => {
  const after = (n ?? 0) + 1;
  return isValid(after) ? after : null;
};


export const unsafe = (n: number): GenerationNumber => {
  if (!isValid(n)) throw new Error(`not a generation number: ${n}`);
  return n as GenerationNumber;
};

/** `system-7-link` for profile `system`. */
export const linkName = (profileName: string, n: GenerationNumber): string => `${profileName}-${n}-link`;

export type LinkNameMatch =
  | { readonly _tag: "Generation"; readonly number: GenerationNumber }
  | { readonly _tag: "Malformed"; readonly digits: string }
  | { readonly _tag: "Other" };

/** Classify a directory entry next to the profile: a generation link, a malformed one, or unrelated. */
export const matchLinkName = (profileName: string, entry: string): LinkNameMatch => {
  // NAME-DIGITS-link: the digits hold no dash, so they follow the last dash before the suffix.
  // Read in place, not by a regular expression: a profile directory may hold 10,000 entries.
  const end = entry.length - LINK_SUFFIX.length;
  const dash = profileName.length;
  const shaped = dash > 0 && end > dash + 1 && entry.endsWith(LINK_SUFFIX) && entry.lastIndexOf("-", end - 1) === dash;
  if (!shaped || !entry.startsWith(profileName)) return OTHER;
  for (let i = dash + 1; i < end; i++) {
    const c = entry.charCodeAt(i);
    if (c < 48 || c > 57) return OTHER;
  }
  const digits = entry.slice(dash + 1, end);
  const n = parse(digits);
  return O.isSome(n) ? { _tag: "Generation", number: n.value } : { _tag: "Malformed", digits };
};
const OTHER: LinkNameMatch = { _tag: "Other" };

/** Codec for plans and JSON output. */
export const GenerationNumberCodec = new t.Type<GenerationNumber, number, unknown>(
  "GenerationNumber",
  isValid,
  (u, c) => (isValid(u) ? t.success(u) : t.failure(u, c, `expected a generation number from 1 to ${MAX}`)),
  (a) => a,
);

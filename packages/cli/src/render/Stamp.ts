/**
 * Times as listings show them, byte for byte what `Date#toISOString` gives, without a `Date` per
 * row: a table of 10,000 generations spent most of its formatting time building and printing Dates.
 * The calendar part is computed once per distinct day (rows are sorted, so neighbours share one);
 * instants outside years 0000-9999 (which `toISOString` writes with six digits and a sign) and
 * invalid ones take the `Date` path. A fractional instant (an mtime) is truncated toward zero, as
 * `new Date` does.
 */
const MS_PER_DAY = 86_400_000;
/** 0000-01-01 and 10000-01-01 in ms since the epoch: the years written with four digits. */
const FIRST_MS = -62_167_219_200_000;
const END_MS = 253_402_300_800_000;

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`). */
const dateOf = (days: number): string => {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}`;
};

/** A formatter of instants (ms since the epoch, UTC) that remembers the last day it formatted. */
export interface Formatter {
  /** `YYYY-MM-DD HH:MM:SS`, or `????-??-?? ??:??:??` for an invalid instant. */
  readonly seconds: (ms: number) => string;
  /** `YYYY-MM-DDTHH:MM:SS.mmmZ`, as `toISOString`; an invalid instant throws as it does. */
  readonly iso: (ms: number) => string;
}

export const formatter = (): Formatter => {
  let lastDay = Number.NaN;
  let lastDate = "";
  const split = (ms: number): number => {
    const days = Math.floor(ms / MS_PER_DAY);
    if (days !== lastDay) {
      lastDay = days;
      lastDate = dateOf(days);
    }
    return ms - days * MS_PER_DAY;
  };
  const clock = (msOfDay: number): string => {
    const s = Math.floor(msOfDay / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s - h * 3600) / 60);
    return `${two(h)}:${two(m)}:${two(s - h * 3600 - m * 60)}`;
  };
  const inRange = (t: number): boolean => t >= FIRST_MS && t < END_MS;
  return {
    seconds: (ms) => {
      const t = Math.trunc(ms);
      if (!inRange(t)) {
        const d = new Date(ms);
        return Number.isNaN(d.getTime()) ? "????-??-?? ??:??:??" : d.toISOString().slice(0, 19).replace("T", " ");
      }
      const msOfDay = split(t);
      return `${lastDate} ${clock(msOfDay)}`;
    },
    iso: (ms) => {
      const t = Math.trunc(ms);
      if (!inRange(t)) return new Date(ms).toISOString();
      const msOfDay = split(t);
      return `${lastDate}T${clock(msOfDay)}.${three(msOfDay % 1000)}Z`;
    },
  };
};

/**
 * Creation times as boot menus and listings show them: `YYYY-MM-DD HH:MM` in the time zone the
 * generation was made in. Calendar arithmetic is done by hand: the model must not depend on the
 * host's time zone.
 */
const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 1_440;

/** `YYYY-MM-DD HH:MM` of `createdMs` at `utcOffsetMinutes` east of UTC, truncated to the minute like strftime. */
export const format = (createdMs: number, utcOffsetMinutes: number): string => {
  const local = Math.floor((createdMs + utcOffsetMinutes * MS_PER_MINUTE) / MS_PER_MINUTE);
  if (!Number.isFinite(local)) return "????-??-?? ??:??";
  const days = Math.floor(local / MINUTES_PER_DAY);
  const minuteOfDay = local - days * MINUTES_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const yyyy = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${yyyy}-${pad(month, 2)}-${pad(day, 2)} ${pad(Math.floor(minuteOfDay / 60), 2)}:${pad(minuteOfDay % 60, 2)}`;
};

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/**
 * Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`):
 * shift to eras of 400 years starting on 0000-03-01, so leap days fall at the end of each year.
 */
const civilFromDays = (days: number): { readonly year: number; readonly month: number; readonly day: number } => {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
};

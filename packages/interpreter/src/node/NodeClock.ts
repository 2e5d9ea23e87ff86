/** The live clock: the machine's wall clock and local time zone. */
import { Effect, Layer } from "effect";
import { Clock, type ClockService } from "../ports/Clock.js";

const MS_PER_DAY = 86_400_000;
const offsetAt = (atMs: number): number => -new Date(atMs).getTimezoneOffset();

/**
 * Offsets are asked for every generation listed (10,000 of them, often an hour apart), so they are
 * looked up once per UTC day: a day that starts and ends at the same offset has it throughout,
 * since no time zone changes its offset twice within a day (V8's own local time assumes at most
 * one change in 19 days). A day with a change is looked up per instant.
 */
export const offsetsByDay = (): ((atMs: number) => number) => {
  const days = new Map<number, number | null>();
  return (atMs) => {
    const day = Math.floor(atMs / MS_PER_DAY);
    let known = days.get(day);
    if (known === undefined) {
      const first = offsetAt(day * MS_PER_DAY);
      known = first === offsetAt(day * MS_PER_DAY + MS_PER_DAY - 1) ? first : null;
      days.set(day, known);
    }
    return known ?? offsetAt(atMs);
  };
};

export const nodeClock: ClockService = {
  nowMs: Effect.sync(() => Date.now()),
  utcOffsetMinutes: offsetsByDay(),
};

export const NodeClockLive = Layer.succeed(Clock, nodeClock);

/** A fixed clock for tests: `nowMs` never moves, offsets are constant. */
export const fixedClock = (nowMs: number, utcOffsetMinutes = 0) =>
  Layer.succeed(Clock, { nowMs: Effect.succeed(nowMs), utcOffsetMinutes: () => utcOffsetMinutes });

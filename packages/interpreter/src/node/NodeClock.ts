/** The live clock: the machine's wall clock and local time zone. */
import { Effect, Layer } from "effect";
import { Clock } from "../ports/Clock.js";

export const NodeClockLive = Layer.succeed(Clock, {
  nowMs: Effect.sync(() => Date.now()),
  utcOffsetMinutes: (atMs: number) => -new Date(atMs).getTimezoneOffset(),
});

/** A fixed clock for tests: `nowMs` never moves, offsets are constant. */
export const fixedClock = (nowMs: number, utcOffsetMinutes = 0) =>
  Layer.succeed(Clock, { nowMs: Effect.succeed(nowMs), utcOffsetMinutes: () => utcOffsetMinutes });

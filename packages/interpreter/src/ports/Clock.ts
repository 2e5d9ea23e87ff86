/** The clock port: wall-clock time for `now`-relative patterns and lock records. */
import { Context, type Effect } from "effect";

export interface ClockService {
  readonly nowMs: Effect.Effect<number>;
  /** Minutes east of UTC at a given instant (local time, as boot labels show it). */
  readonly utcOffsetMinutes: (atMs: number) => number;
}

export class Clock extends Context.Tag("switchyard/Clock")<Clock, ClockService>() {}

import { afterEach, describe, expect, it } from "vitest";
import { offsetsByDay } from "../../packages/interpreter/src/node/NodeClock.js";

const saved = process.env.TZ;
afterEach(() => {
  if (saved === undefined) delete process.env.TZ;
  else process.env.TZ = saved;
});

describe("NodeClock offsets", () => {
  // Zones with whole-hour, half-hour and suspended (Cairo 2010, Ramadan) changes, and historical odd offsets.
  for (const zone of ["Europe/Berlin", "Australia/Lord_Howe", "Africa/Cairo", "America/St_Johns", "Europe/Amsterdam", "UTC"]) {
    it(`gives every instant its own local offset in ${zone}`, () => {
      process.env.TZ = zone;
      const offsets = offsetsByDay();
      const wrong: Array<string> = [];
      const ranges: Array<[number, number]> = [
        [Date.UTC(1935, 0, 1), Date.UTC(1938, 0, 1)],
        [Date.UTC(2010, 0, 1), Date.UTC(2011, 0, 1)],
        [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)],
      ];
      for (const [from, to] of ranges) {
        // 37 minutes and a few ms apart: every hour of the day and both sides of each change.
        for (let t = from; t < to; t += 37 * 60_000 + 7) if (offsets(t) !== -new Date(t).getTimezoneOffset()) wrong.push(new Date(t).toISOString());
      }
      expect(wrong).toEqual([]);
    });
  }
});

// Stalls its worker in synchronous work, which no test timeout can end: always, or (with
// STALL_CASE_ONCE naming a file that does not exist yet) only the first time it runs. Each run
// adds its worker's pid to STALL_CASE_PIDS, for the test to see that no worker outlives the run.
import * as fs from "node:fs";
import { expect, it } from "vitest";

it("stalls", () => {
  const pids = process.env.STALL_CASE_PIDS;
  if (pids !== undefined) fs.appendFileSync(pids, `${process.pid}\n`);
  const once = process.env.STALL_CASE_ONCE;
  const stall = once === undefined || !fs.existsSync(once);
  if (once !== undefined) fs.writeFileSync(once, "");
  while (stall) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  expect(stall).toBe(false);
});

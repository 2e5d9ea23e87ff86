/** What `apply` prints as it works: a line per step, and the lines of a burst written together to a log. */
import { describe, expect, it } from "vitest";
import * as Progress from "../../packages/cli/src/render/Progress.js";
import type { Steps } from "../../packages/interpreter/src/index.js";
import type { Step } from "../../packages/model/src/index.js";

const log = { color: false, unicode: false, interactive: false, columns: 80 };
const removal = (n: number) => ({ _tag: "RemoveLink", path: `/p/system-${n}-link`, target: `/s/${n}` }) as unknown as Step.Step;
/** The events of a run of `n` removals, in a burst or not. */
const removals = (n: number, burst: boolean): ReadonlyArray<Steps.Event> => [
  ...(burst ? [{ _tag: "Burst", edge: "start" } as const] : []),
  ...Array.from({ length: n }, (_, i): ReadonlyArray<Steps.Event> => [
    { _tag: "StepStarted", index: i, step: removal(i + 1) },
    { _tag: "StepFinished", phase: "forward", index: i, step: removal(i + 1), ok: true },
  ]).flat(),
  ...(burst ? [{ _tag: "Burst", edge: "end" } as const] : []),
];
const report = (events: ReadonlyArray<Steps.Event>, terminal = log) => {
  const writes: Array<string> = [];
  const reporter = Progress.make(terminal, (t) => void writes.push(t));
  reporter.onPlan({ steps: events.filter((e) => e._tag === "StepStarted"), revert: [] } as never);
  for (const e of events) reporter.onEvent(e);
  // Timings vary; the rest must not.
  return writes.map((w) => w.replace(/\d+\.\d\d s/g, "T s"));
};

describe("Progress", () => {
  it("writes a whole line per step to a log", () => {
    expect(report(removals(2, false))).toEqual([
      "[1/2] remove /p/system-1-link (was -> /s/1) ... ok T s\n",
      "[2/2] remove /p/system-2-link (was -> /s/2) ... ok T s\n",
    ]);
  });

  it("writes the lines of a burst to a log in one write, the same lines", () => {
    const held = report(removals(3, true));
    expect(held).toHaveLength(1);
    expect(held.join("")).toBe(report(removals(3, false)).join(""));
  });

  it("writes a long burst in pieces of about 64 KiB, every line whole", () => {
    const held = report(removals(2000, true));
    expect(held.length).toBeGreaterThan(1);
    expect(held.every((w) => w.endsWith("\n") && w.length < 64 * 1024 + 200)).toBe(true);
    expect(held.join("")).toBe(report(removals(2000, false)).join(""));
  });

  it("holds nothing on a terminal: its line or bar is written as each step goes", () => {
    const terminal = { ...log, interactive: true };
    expect(report(removals(3, true), terminal)).toEqual(report(removals(3, false), terminal));
    expect(report(removals(3, true), terminal).length).toBeGreaterThan(3);
  });
});

// Ends the run with one plain line, `tests: N passed, N failed, N skipped`, that any CI log reader
// understands, after vitest's own report. With SWITCHYARD_TEST_COUNTS set, the counts also go to
// that file as JSON, for scripts/test.mjs to add up a run and the one that finishes it.
import * as fs from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

export interface Counts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export const countTests = (modules: Iterable<TestModule>): Counts => {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const m of modules) {
    for (const t of m.children.allTests()) {
      const state = t.result().state;
      if (state === "passed") passed++;
      else if (state === "failed") failed++;
      else skipped++;
    }
    if (m.state() === "failed" && [...m.children.allTests()].length === 0) failed++;
  }
  return { passed, failed, skipped };
};

export const countsLine = (c: Counts): string => `tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = countTests(modules);
    const file = process.env.SWITCHYARD_TEST_COUNTS;
    if (file !== undefined && file !== "") fs.writeFileSync(file, JSON.stringify(counts));
    process.stdout.write(`\n${countsLine(counts)}\n`);
  }
}

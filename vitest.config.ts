import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // vitest's default on 2 cores is one worker; most of an e2e file's time is waiting for the
    // binary it runs, so a second worker nearly halves the suite's wall time.
    maxWorkers: 2,
    reporters: ["default", "./test/summary-reporter.ts", "./test/stall-reporter.ts"],
  },
});

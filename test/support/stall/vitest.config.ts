// The run test/stall.test.ts drives through scripts/test.mjs: its own files, the project's reporters.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["*.stall-case.ts"],
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "../../summary-reporter.ts", "../../stall-reporter.ts"],
  },
});

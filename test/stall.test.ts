/**
 * scripts/test.mjs with the stall reporter, on a run of two files one of which stalls its worker:
 * the run is ended, and the stalled file runs again on its own; it passes the run only if it then
 * passes, and the worker it left is ended.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const CONFIG = "test/support/stall/vitest.config.ts";

const run = (env: Record<string, string>): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["scripts/test.mjs", "--config", CONFIG], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", SWITCHYARD_TEST_STALL_SECONDS: "2", ...env },
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (out += b.toString("utf8")));
    child.on("close", (code) => resolve({ code, out }));
  });

/** Whether a process whose command line names `text` runs. */
const running = (text: string): boolean =>
  fs.readdirSync("/proc").some((p) => {
    try {
      return /^[0-9]+$/.test(p) && fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(text);
    } catch {
      return false;
    }
  });

describe("a test run that stalls", () => {
  it("runs the stalled file again on its own, and passes when it then passes", async () => {
    const once = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stall-case-")), "ran");
    const r = await run({ STALL_CASE_ONCE: once });
    expect(r.out).toContain("test run stalled: nothing reported for 2 s; 1 file(s) unfinished: stalls.stall-case.ts");
    expect(r.out).toContain("tests: 1 passed, 0 failed, 0 skipped (the finished files only)");
    expect(r.out).toContain("test run: stalled in stalls.stall-case.ts; running it again on its own");
    expect(r.out).toContain("tests: 2 passed, 0 failed, 0 skipped (both runs; stalls.stall-case.ts run again after a stall)");
    expect(r.code).toBe(0);
    fs.rmSync(path.dirname(once), { recursive: true, force: true });
  }, 60_000);

  it("fails when the file stalls again, and leaves no worker behind", async () => {
    const r = await run({});
    expect(r.out).toContain("test run: stalled again in stalls.stall-case.ts");
    expect(r.code).toBe(1);
    expect(running(CONFIG)).toBe(false);
  }, 60_000);
});

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

/** Whether process `pid` ends within a few seconds (a zombie has ended: it only waits to be reaped). */
const ends = async (pid: string): Promise<boolean> => {
  for (let waited = 0; waited < 5000; waited += 50) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return true;
    }
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};

const scratch = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "stall-case-"));

describe("a test run that stalls", () => {
  it("runs the stalled file again on its own, and passes when it then passes", async () => {
    const once = path.join(scratch(), "ran");
    const r = await run({ STALL_CASE_ONCE: once });
    expect(r.out).toContain("test run stalled: nothing reported for 2 s; 1 file(s) unfinished: stalls.stall-case.ts");
    expect(r.out).toContain("tests: 1 passed, 0 failed, 0 skipped (the finished files only)");
    expect(r.out).toContain("test run: stalled in stalls.stall-case.ts; running it again on its own");
    expect(r.out).toContain("tests: 2 passed, 0 failed, 0 skipped (both runs; stalls.stall-case.ts run again after a stall)");
    expect(r.code).toBe(0);
    fs.rmSync(path.dirname(once), { recursive: true, force: true });
  }, 60_000);

  it("fails when the file stalls again, and leaves no worker behind", async () => {
    const pids = path.join(scratch(), "pids");
    const r = await run({ STALL_CASE_PIDS: pids });
    expect(r.out).toContain("test run: stalled again in stalls.stall-case.ts");
    expect(r.code).toBe(1);
    // The stalled workers of both runs: each blocked for good, so only the end of its group ends it.
    const workers = fs.readFileSync(pids, "utf8").trim().split("\n");
    expect(workers).toHaveLength(2);
    for (const pid of workers) expect(await ends(pid), `worker ${pid} still runs`).toBe(true);
    fs.rmSync(path.dirname(pids), { recursive: true, force: true });
  }, 60_000);
});

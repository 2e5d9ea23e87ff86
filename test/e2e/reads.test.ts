/**
 * What the binary reads, counted with strace on a settled profile of 300 generations: a listing
 * makes one stat per generation and opens no manifest; a plan opens only the manifests of the
 * generations it moves between, and looks at no more of them than its boot menu holds. These are counts, not times (speed lives in `npm run bench`), and
 * they catch the regression that costs most at 10,000 generations: something that reads every
 * manifest (a check, a state decision) where it needs two.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, cleanUp, tempDir, tempRoot } from "./support.js";

const N = 300;
const MENU_LIMIT = 100;

/** The paths of the traced system calls of `switchyard --root ROOT ARGS`, by call. */
const traced = (root: string, args: ReadonlyArray<string>) => {
  const out = path.join(tempDir(), "trace");
  const r = spawnSync("strace", ["-f", "-qq", "-e", "trace=openat,statx,newfstatat,lstat,stat", "-o", out, process.execPath, BIN, "--root", root, ...args], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC" },
  });
  expect(r.error, "strace runs the binary (.ci/run installs it)").toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  const calls = fs.readFileSync(out, "utf8").split("\n").flatMap((line) => {
    const m = /^\d+\s+(\w+)\((?:AT_FDCWD, )?"([^"]*)"/.exec(line);
    return m === null ? [] : [{ call: m[1] as string, path: m[2] as string }];
  });
  const under = (dir: string) => calls.filter((c) => c.path.startsWith(path.join(root, dir)));
  return {
    manifestOpens: under("/store").filter((c) => c.call === "openat" && c.path.endsWith("/manifest.json")).map((c) => c.path),
    stats: calls.filter((c) => c.call !== "openat" && c.path.startsWith(root)).length,
  };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`what a command reads on a profile of ${N} generations`, () => {
  afterAll(cleanUp);
  const generations = Array.from({ length: N }, (_, i) => ({
    number: i + 1,
    services: [
      { name: "db", start: ["/bin/sleep", "infinity"], env: { V: String(i % 7) }, state: { paths: ["/var/lib/db"] } },
      { name: "web", requires: ["db"], start: ["/bin/sleep", "infinity"] },
    ],
  }));
  const root = tempRoot({ generations, current: N, running: N, booted: N });

  it("list: one stat per generation and no manifest opened; plan rollback: the target's manifest only, the boot menu's stats only", { timeout: 60_000 }, async () => {
    // A listing writes the generations index once the profile has settled (left alone longer than
    // the listing takes, a second here, so a loaded machine does not make the index untrusted).
    await sleep(1_000);
    expect(spawnSync(process.execPath, [BIN, "--root", root, "list"]).status).toBe(0);

    const list = traced(root, ["list"]);
    expect(list.manifestOpens).toEqual([]);
    expect(list.stats).toBeGreaterThanOrEqual(N);
    expect(list.stats).toBeLessThan(N + 60);

    const plan = traced(root, ["plan", "rollback"]);
    const opened = new Set(plan.manifestOpens.map((p) => /example-os-(\d+)\/manifest\.json$/.exec(p)?.[1]));
    expect(opened.has(String(N - 1)), "the target's manifest").toBe(true);
    expect([...opened].filter((g) => g !== String(N - 1) && g !== String(N)), "manifests of generations the plan does not move between").toEqual([]);
    // The boot menu's generations (boot.menuLimit, 100; checked in batches of 128) are all a plan looks at, not all 300.
    expect(plan.stats, "a plan lstats the manifests of the boot menu's generations only").toBeLessThan(2 * MENU_LIMIT);
  });
});

/**
 * Migration graphs on the built binary: two independent migrations overlap in time and a third
 * waits for both (from the timestamps they write themselves); a SIGKILL in the middle of the graph
 * (the running migration killed with it, as a power loss would) and a resumed apply that runs only
 * what was left; other switches refused meanwhile (exit 7); a migration that reports a new item
 * pauses the graph until its resolution is chosen, and continuing runs that resolution's migration.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, REPO, cleanUp, host, run, systemOf, tempRoot } from "./support.js";

afterAll(cleanUp);

const LOG = "/var/log/migrations";

// Each run appends "start ID MS PID FROM TO DIRECTION" and "end ID MS"; with "emit" it then reports an item whose resolution runs migration e.
const SCRIPT = `#!/bin/sh
log="$SWITCHYARD_ROOT${LOG}"
echo "start $1 $(date +%s%3N) $$ $SWITCHYARD_FROM $SWITCHYARD_TO $SWITCHYARD_DIRECTION" >> "$log"
sleep "$2"
echo "end $1 $(date +%s%3N)" >> "$log"
if [ "$3" = emit ]; then echo '{"items": [{"id": "reindex", "severity": "error", "message": "the search index is stale", "resolutions": [{"id": "rebuild", "description": "rebuild it", "migrations": [{"id": "e", "run": ["bin/migrate", "e", "0"], "requires": ["d"]}]}]}]}'; fi
`;

const migrations = [
  { id: "a", run: ["bin/migrate", "a", "0.8"] },
  { id: "b", run: ["bin/migrate", "b", "0.8"] },
  { id: "c", run: ["bin/migrate", "c", "1.5"], requires: ["a", "b"] },
  { id: "d", run: ["bin/migrate", "d", "0", "emit"], requires: ["c"] },
];

interface Line {
  readonly what: "start" | "end";
  readonly id: string;
  readonly ms: number;
  readonly pid: number;
  readonly env: ReadonlyArray<string>;
}

const lines = (root: string): ReadonlyArray<Line> =>
  (fs.existsSync(host(root, LOG)) ? fs.readFileSync(host(root, LOG), "utf8") : "")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const [what, id, ms, pid, ...env] = l.split(" ");
      return { what: what as Line["what"], id: id as string, ms: Number(ms), pid: Number(pid), env };
    });
const first = (root: string, what: Line["what"], id: string): Line => {
  const found = lines(root).find((l) => l.what === what && l.id === id);
  if (found === undefined) throw new Error(`no '${what} ${id}' in the log`);
  return found;
};
const starts = (root: string, id: string): number => lines(root).filter((l) => l.what === "start" && l.id === id).length;

/**
 * Generation 2 declares a check whose error item's one resolution runs `chosen`; the person runs
 * the checks and chooses that resolution, as `apply` asks.
 */
const makeRoot = async (chosen: ReadonlyArray<unknown> = migrations): Promise<string> => {
  const manifest = { schema: 1, label: "Example OS 2", boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] }, activate: "activate", checks: [{ name: "schema", run: ["bin/check"] }] };
  const root = tempRoot({ generations: [{ number: 1 }, { number: 2, manifest }], current: 1, running: 1, booted: 1 });
  const bin = path.join(host(root, systemOf(2)), "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "migrate"), SCRIPT, { mode: 0o755 });
  const report = { items: [{ id: "schema", severity: "error", message: "the data is at schema 1", resolutions: [{ id: "migrate", description: "migrate it", migrations: chosen }] }] };
  fs.writeFileSync(path.join(bin, "check"), `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(report)}\nEOF\n`, { mode: 0o755 });
  expect((await run(root, "check", "switch", "2")).code).toBe(6);
  const chose = await run(root, "choose", "schema", "migrate");
  expect(chose.code, chose.stderr).toBe(0);
  return root;
};

/** Start `apply switch 2`, and SIGKILL it (and the migration running) once migration `c` has started. */
const applyKilledDuring = (root: string, id: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "--root", root, "apply", "switch", "2", "--yes", "--jobs", "2"], { cwd: REPO, stdio: "ignore" });
    const poll = setInterval(() => {
      const started = lines(root).find((l) => l.what === "start" && l.id === id);
      if (started === undefined) return;
      clearInterval(poll);
      child.kill("SIGKILL");
      process.kill(-started.pid, "SIGKILL");
    }, 20);
    child.on("error", reject);
    child.on("close", () => {
      clearInterval(poll);
      resolve();
    });
  });

describe("a migration graph", () => {
  it("runs independent migrations in parallel, resumes after SIGKILL with only what was left, refuses other switches, and pauses on a new item until it is settled", async () => {
    const root = await makeRoot();
    await applyKilledDuring(root, "c");
    const [a0, a1, b0, b1, c0] = [first(root, "start", "a"), first(root, "end", "a"), first(root, "start", "b"), first(root, "end", "b"), first(root, "start", "c")];
    // a and b overlap in time; c started only after both ended.
    expect(a0.ms).toBeLessThan(b1.ms);
    expect(b0.ms).toBeLessThan(a1.ms);
    expect(c0.ms).toBeGreaterThanOrEqual(Math.max(a1.ms, b1.ms));
    expect(a0.env).toEqual(["1", "2", "upgrade"]);

    const shown = await run(root, "migrations", "--json");
    expect(shown.code, shown.stderr).toBe(0);
    const graph = (JSON.parse(shown.stdout) as { graph: { progress: Record<string, { status: string }> } }).graph;
    expect(Object.fromEntries(Object.entries(graph.progress).map(([id, e]) => [id, e.status]))).toEqual({ a: "done", b: "done", c: "running", d: "pending" });

    const other = await run(root, "apply", "switch", "1", "--yes");
    expect(other.code, other.stderr).toBe(7);
    expect(other.stderr).toContain("a migration graph is under way (generation 1 -> 2: 2 of 4 done; running or interrupted: c;");
    expect(fs.readlinkSync(host(root, "/run/current-system"))).toBe(systemOf(2));
    const planned = await run(root, "plan", "switch", "1");
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stderr).toContain("switchyard: warning: apply would refuse this plan (exit 7): a migration graph is under way");

    const resumed = await run(root, "apply", "switch", "2", "--yes", "--jobs", "2");
    expect(resumed.code, resumed.stderr).toBe(7);
    expect(resumed.stderr).toContain("migration c: started (run 2)");
    expect(resumed.stderr).toContain("the migration graph is paused: d reported new items (reindex)");
    expect([starts(root, "a"), starts(root, "b"), starts(root, "c"), starts(root, "d")]).toEqual([1, 1, 2, 1]);
    const items = JSON.parse(fs.readFileSync(host(root, "/var/lib/switchyard/migrations/items.json"), "utf8")) as { items: ReadonlyArray<{ id: string }> };
    expect(items.items.map((i) => i.id)).toEqual(["reindex"]);

    // recover goes on with the graph too, and it is still paused.
    const recovered = await run(root, "recover");
    expect(recovered.code, recovered.stderr).toBe(7);
    expect(recovered.stdout).toContain("no apply was interrupted; continued the migration graph under way");

    // The new item is pending like a check's: the graph stays paused until its resolution is chosen.
    const early = await run(root, "migrations", "continue");
    expect(early.code, early.stderr).toBe(6);
    expect(early.stderr).toContain("the migration graph stays paused: item 'reindex' a migration reported has no chosen resolution");
    expect((await run(root, "status")).stdout).toContain("Migration graph under way: generation 1 -> 2: 4 of 4 done; paused by d's new items: reindex");
    const pending = await run(root, "choices");
    expect(pending.stdout).toContain("items the migrations of the graph under way reported (generation 1 to 2;");
    expect(pending.stdout).toContain("  to settle it: switchyard choose reindex rebuild\n");
    // Choosing its resolution and continuing runs its migration after d.
    expect((await run(root, "choose", "reindex", "rebuild")).code).toBe(0);
    const continued = await run(root, "migrations", "continue");
    expect(continued.code, continued.stderr).toBe(0);
    expect(continued.stdout).toContain("all 5 migration(s) done");
    expect(first(root, "start", "e").ms).toBeGreaterThanOrEqual(first(root, "end", "d").ms);
    expect(["graph.json", "items.json"].map((f) => fs.existsSync(host(root, `/var/lib/switchyard/migrations/${f}`)))).toEqual([false, false]);
    const back = await run(root, "apply", "switch", "1", "--yes");
    expect(back.code, back.stderr).toBe(0);
  }, 30_000);

  it("that fails with onFailure revert stops its dependents, keeps the finished, and switches back", async () => {
    const root = await makeRoot([
      { id: "x", run: ["bin/migrate", "x", "0"] },
      { id: "y", run: ["bin/missing-program"] },
      { id: "z", run: ["bin/migrate", "z", "0"], requires: ["y"] },
    ]);
    const r = await run(root, "apply", "switch", "2", "--yes", "--jobs", "1");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("migration(s) y failed; not run: z; finished ones stay done; the switch was reverted: the graph was abandoned and the machine switched back to generation 1");
    expect([starts(root, "x"), starts(root, "z")]).toEqual([1, 0]);
    expect(fs.readlinkSync(host(root, "/run/current-system"))).toBe(systemOf(1));
    expect(fs.existsSync(host(root, "/var/lib/switchyard/migrations/graph.json"))).toBe(false);
  }, 30_000);
});

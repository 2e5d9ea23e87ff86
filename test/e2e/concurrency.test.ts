/**
 * Concurrent applies on one root, as real processes. Every generation's activation script proves
 * mutual exclusion on its own: it takes a marker directory with mkdir (atomic), sleeps ~50 ms and
 * removes it; a script that finds the marker taken writes OVERLAP (and exits 0, so the overlap
 * cannot hide behind a revert). After the storm the tree must be consistent: the profile names an
 * existing generation, the boot menu's default entry is that generation, /run/current-system is its
 * system, and there is no journal, no lock, no temp file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execIn, leftovers, removeSnapshot, show, type Exec } from "./faults-support.js";
import { cleanUp, linkOf, PROFILE, readLink, readText, systemOf, tempDir, tempRoot } from "./support.js";

afterAll(() => {
  cleanUp();
  removeSnapshot();
});

const PROBE = "/var/probe";

/**
 * The activation script. With PROBE_HOLD set in the applying process's environment (activation
 * inherits it) it holds the activation open until `go` appears, saying so with `holding`.
 */
const ACTIVATE = `#!/bin/sh
probe="$SWITCHYARD_ROOT${PROBE}"
if ! mkdir "$probe/active" 2>/dev/null; then
  echo "$SWITCHYARD_ACTION $SWITCHYARD_SYSTEM" >> "$probe/OVERLAP"
  exit 0
fi
echo "$SWITCHYARD_ACTION $SWITCHYARD_SYSTEM" >> "$probe/activations"
if [ -n "$PROBE_HOLD" ]; then
  : > "$probe/holding"
  i=0
  while [ ! -e "$probe/go" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
else
  sleep 0.05
fi
rmdir "$probe/active"
echo "activated $SWITCHYARD_SYSTEM ($SWITCHYARD_ACTION)"
`;

/** Nine generations whose activation detects overlap; 9 is current, running and booted. */
const probeRoot = (): string => {
  const numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const root = tempRoot({
    generations: numbers.map((number) => ({
      number,
      manifest: {
        schema: 1,
        label: `Probe OS (Linux 6.8.${number})`,
        boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] },
        activate: "activate-exclusive",
        services: [],
      },
      activate: null,
    })),
    current: 9,
    running: 9,
    booted: 9,
  });
  for (const n of numbers) {
    const script = path.join(root, systemOf(n), "activate-exclusive");
    fs.writeFileSync(script, ACTIVATE);
    fs.chmodSync(script, 0o755);
  }
  fs.mkdirSync(path.join(root, PROBE), { recursive: true });
  return root;
};

const lines = (root: string, name: string): Array<string> => (readText(root, `${PROBE}/${name}`) ?? "").split("\n").filter((l) => l !== "");

/** The tree after the applies: consistent, and at generation `expected` when given. Returns the current generation. */
const expectConsistent = (root: string, expected?: number): number => {
  expect(lines(root, "OVERLAP"), "two activations overlapped").toEqual([]);
  expect(fs.existsSync(path.join(root, PROBE, "active")), "an activation did not finish").toBe(false);
  const profile = readLink(root, PROFILE);
  const n = Number(/^system-([0-9]+)-link$/.exec(profile ?? "")?.[1] ?? Number.NaN);
  expect(Number.isInteger(n), `profile -> ${profile}`).toBe(true);
  const system = readLink(root, linkOf(n));
  expect(system, `the profile's generation ${n} exists`).toBe(systemOf(n));
  const grub = readText(root, "/boot/grub/grub.cfg") ?? "";
  expect(grub).toMatch(/^set default=0$/m);
  expect(/^menuentry .* --id switchyard-([0-9]+) \{$/m.exec(grub)?.[1], "the boot default is the profile's generation").toBe(String(n));
  expect(readLink(root, "/run/current-system"), "the running system is the profile's").toBe(system);
  expect(leftovers(root), "no journal, lock or temp file is left").toEqual([]);
  if (expected !== undefined) expect(n).toBe(expected);
  return n;
};

const LOCKED = /^switchyard: another switchyard apply holds (\S+)\/var\/lib\/switchyard\/lock: pid ([0-9]+) \('switchyard (apply switch [0-9]+|[^']+)', started [^)]+\); wait for it to finish/;

/** Poll until `cond` holds (or fail after `ms`). */
const until = async (cond: () => boolean, what: string, ms = 20_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * `apply ARGS` run under strace, which notes every failed open: `refused()` says whether it has
 * found the lock taken at least once, i.e. it is waiting for it rather than still starting.
 */
const tracedApply = (root: string, args: ReadonlyArray<string>) => {
  const trace = path.join(tempDir(), "trace");
  const lock = `${path.join(root, "var/lib/switchyard/lock")}"`;
  const wrapper = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=open,openat", "-e", "status=failed", "-o", trace];
  const done = execIn(root, args, { wrapper });
  const refused = (): boolean => (fs.existsSync(trace) ? fs.readFileSync(trace, "utf8") : "").split("\n").some((l) => l.includes(lock) && l.includes("O_EXCL") && l.includes("EEXIST"));
  return { done, refused };
};

const errorLines = (r: Exec): Array<string> => r.stderr.split("\n").filter((l) => l.startsWith("switchyard: "));

describe("8 applies started at once on one root", () => {
  it("fail fast: one at a time; the others exit 4 naming a real holder (or find their plan stale)", { timeout: 60_000 }, async () => {
    const root = probeRoot();
    const targets = [1, 2, 3, 4, 5, 6, 7, 8];
    const results = await Promise.all(targets.map((n) => execIn(root, ["apply", "switch", String(n), "--yes"])));
    const pids = new Map(results.map((r, i) => [r.pid, targets[i] as number]));
    const problems: Array<string> = [];
    results.forEach((r, i) => {
      const n = targets[i] as number;
      if (r.code === 0) return;
      const errors = errorLines(r);
      if (r.code === 4) {
        const m = errors.length === 1 ? LOCKED.exec(errors[0] as string) : null;
        if (m === null) problems.push(`switch ${n}: exit 4 without one line naming the holder: ${show(r)}`);
        else if (m[1] !== root) problems.push(`switch ${n}: names the lock of another root: ${errors[0]}`);
        else if (pids.get(Number(m[2])) === undefined || m[3] !== `apply switch ${pids.get(Number(m[2]))}`) {
          problems.push(`switch ${n}: the named holder is not one of the 8 applies: ${errors[0]}`);
        }
      } else if (r.code === 3) {
        // It computed its plan, then took the lock after another apply had moved the profile.
        if (errors.length !== 1 || !/the plan is stale/.test(errors[0] as string)) problems.push(`switch ${n}: exit 3 without the stale-plan line: ${show(r)}`);
      } else if (r.code === 5) {
        problems.push(`switch ${n}: exit 5, told an earlier apply was interrupted while another apply was merely running (expected exit 4 naming it): ${errors.join(" / ")}`);
      } else problems.push(`switch ${n}: exit ${r.code ?? r.signal} (expected 0, 4, or 3 for a plan made stale by another apply): ${show(r)}`);
    });
    const succeeded = targets.filter((_, i) => results[i]?.code === 0);
    console.log(`fail fast: exits ${results.map((r, i) => `switch ${targets[i]}→${r.code ?? r.signal}`).join(", ")}`);
    // Mutual exclusion and a consistent tree first, then how each loser was told.
    const activated = lines(root, "activations");
    const current = expectConsistent(root);
    expect(systemOf(current)).toBe(activated[activated.length - 1]?.split(" ")[1]);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    // Every successful apply activated exactly once, and nothing else did.
    expect(activated.map((l) => l.split(" ")[1]).sort()).toEqual(succeeded.map((n) => systemOf(n)).sort());
    expect(problems).toEqual([]);
    expect(results.some((r) => r.code === 4), "the applies contended for the lock").toBe(true);
  });

  it("--wait-lock 30: they all succeed, one after another", { timeout: 90_000 }, async () => {
    const root = probeRoot();
    const targets = [1, 2, 3, 4, 5, 6, 7, 8];
    const results = await Promise.all(targets.map((n) => execIn(root, ["apply", "switch", String(n), "--yes", "--wait-lock", "30"])));
    console.log(`--wait-lock: exits ${results.map((r, i) => `switch ${targets[i]}→${r.code ?? r.signal}`).join(", ")}`);
    const failures = results.flatMap((r, i) => (r.code === 0 ? [] : [`switch ${targets[i]}: ${r.code ?? r.signal}: ${errorLines(r).join(" / ")}`]));
    // Whatever happened, no two activations overlapped and the tree is consistent.
    const activated = lines(root, "activations");
    const current = expectConsistent(root);
    expect(systemOf(current)).toBe(activated[activated.length - 1]?.split(" ")[1]);
    expect(failures, "every waiting apply eventually carries out its switch").toEqual([]);
    expect(activated.filter((l) => l.startsWith("switch ")).map((l) => l.split(" ")[1]).sort()).toEqual(targets.map((n) => systemOf(n)).sort());
  });
});

describe("an apply that finds another one under way", () => {
  it("while the holder is activating: exit 4 naming it, nothing touched (not 'interrupted, run recover')", { timeout: 60_000 }, async () => {
    const root = probeRoot();
    const holder = execIn(root, ["apply", "switch", "1", "--yes"], { env: { PROBE_HOLD: "1" } });
    await until(() => fs.existsSync(path.join(root, PROBE, "holding")), "the first apply's activation");
    const second = await execIn(root, ["apply", "switch", "2", "--yes"]);
    fs.writeFileSync(path.join(root, PROBE, "go"), "");
    const first = await holder;
    expect(first.code, show(first)).toBe(0);
    expectConsistent(root, 1);
    expect(lines(root, "activations"), "the second apply touched nothing").toEqual([`switch ${systemOf(1)}`]);
    const errors = errorLines(second);
    expect(second.code, `the second apply, started while the first was activating, must exit 4 (locked):\n${show(second)}`).toBe(4);
    expect(errors).toHaveLength(1);
    const m = LOCKED.exec(errors[0] as string);
    expect(m, errors[0]).not.toBeNull();
    expect(Number(m?.[2])).toBe(first.pid);
    expect(m?.[3]).toBe("apply switch 1");
  });

  it("list while an apply is activating: exit 0, and no claim that an apply was interrupted", { timeout: 60_000 }, async () => {
    const root = probeRoot();
    const holder = execIn(root, ["apply", "switch", "1", "--yes"], { env: { PROBE_HOLD: "1" } });
    await until(() => fs.existsSync(path.join(root, PROBE, "holding")), "the first apply's activation");
    const listed = await execIn(root, ["list"]);
    fs.writeFileSync(path.join(root, PROBE, "go"), "");
    expect((await holder).code).toBe(0);
    expect(listed.code, show(listed)).toBe(0);
    expect(listed.stderr, "a running apply is not an interrupted one; 'run recover' is wrong advice while it runs").not.toMatch(/interrupted|recover/);
  });

  it("with --wait-lock, while the holder is activating: it waits, then carries out its own switch", { timeout: 60_000 }, async () => {
    const root = probeRoot();
    const holder = execIn(root, ["apply", "switch", "1", "--yes"], { env: { PROBE_HOLD: "1" } });
    await until(() => fs.existsSync(path.join(root, PROBE, "holding")), "the first apply's activation");
    const waiting = tracedApply(root, ["apply", "switch", "2", "--yes", "--wait-lock", "30"]);
    await until(waiting.refused, "the second apply to find the lock taken");
    fs.writeFileSync(path.join(root, PROBE, "go"), "");
    const [first, second] = await Promise.all([holder, waiting.done]);
    expect(first.code, show(first)).toBe(0);
    const current = expectConsistent(root);
    expect(second.code, `the waiting apply must succeed once the lock is free:\n${show(second)}`).toBe(0);
    expect(current).toBe(2);
    expect(lines(root, "activations")).toEqual([`switch ${systemOf(1)}`, `switch ${systemOf(2)}`]);
  });

  it("with --wait-lock behind a lock held without a journal: both waiters carry out their switches", { timeout: 60_000 }, async () => {
    const root = probeRoot();
    // A live holder (this test process) that is not applying anything: no journal to trip over.
    const lock = path.join(root, "var/lib/switchyard/lock");
    const bootId = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    fs.writeFileSync(lock, `${JSON.stringify({ pid: process.pid, bootId, command: "apply test-holder", startedAt: new Date().toISOString(), token: "test-holder" })}\n`);
    const a = tracedApply(root, ["apply", "switch", "2", "--yes", "--wait-lock", "30"]);
    const b = tracedApply(root, ["apply", "switch", "5", "--yes", "--wait-lock", "30"]);
    await until(() => a.refused() && b.refused(), "both applies to find the lock taken");
    expect(lines(root, "activations"), "nobody runs while the lock is held").toEqual([]);
    fs.rmSync(lock);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const activated = lines(root, "activations");
    const current = expectConsistent(root);
    expect(systemOf(current)).toBe(activated[activated.length - 1]?.split(" ")[1]);
    expect({ "switch 2": ra.code, "switch 5": rb.code }, `both waiters must carry out their switch:\n${show(ra)}\n${show(rb)}`).toEqual({ "switch 2": 0, "switch 5": 0 });
    expect(activated.map((l) => l.split(" ")[1]).sort()).toEqual([systemOf(2), systemOf(5)].sort());
  });
});

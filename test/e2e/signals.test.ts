/**
 * `apply` under signals, a reader that goes away, and a prompt that waits: the built binary on temp
 * roots. A SIGINT, SIGTERM or SIGHUP during the switch stops it at the next step boundary; before
 * the commit point it is reverted (the tree is the old one), after it the apply finishes (the tree
 * is the one an uninterrupted apply leaves); either way the exit code is 128 + the signal's number.
 * A closed standard output or error never aborts an apply, and the lock is not held while the
 * confirmation prompt waits.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasPython } from "./pty-support.js";
import { BIN, cleanUp, exists, host, PROFILE, readLink, REPO, run, systemOf, tempRoot, treeHash } from "./support.js";

afterAll(cleanUp);

const NOW_MS = Date.UTC(2026, 0, 15, 12, 0);
const JOURNAL = "/var/lib/switchyard/journal";
/** Written by the first apply on a fresh state directory: not part of any transition. */
const MARKER = "/var/lib/switchyard/layout.v1";
const hash = (root: string, exclude: ReadonlyArray<string> = []) => treeHash(root, { exclude: [MARKER, ...exclude] });

/**
 * The test's handshake with generation 2's activation, left out of tree comparisons: the
 * activation creates `waiting` when it starts and finishes once the test creates `open`.
 */
const GATE = "/var/gate";

/**
 * Activation scripts that write nothing; generation 2's says it started, then holds the switch
 * open until the test opens the gate (at most 30 s), so the test decides what happens meanwhile.
 */
const gatedActivation = (gated: boolean) =>
  `#!/bin/sh\nif [ "$SWITCHYARD_ACTION" = switch ]; then echo "activation started"; ${
    gated ? `gate="$SWITCHYARD_ROOT${GATE}"; : > "$gate/waiting"; i=0; while [ ! -e "$gate/open" ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i+1)); done; ` : ""
  }fi\necho "activation finished ($SWITCHYARD_ACTION)"\n`;

const twoGenerations = (): string => {
  const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }], current: 1, running: 1, booted: 1, nowMs: NOW_MS });
  for (const n of [1, 2]) fs.writeFileSync(host(root, `${systemOf(n)}/activate`), gatedActivation(n === 2), { mode: 0o755 });
  fs.mkdirSync(host(root, GATE), { recursive: true });
  return root;
};

/** Resolves once generation 2's activation is holding the switch open. */
const activationWaiting = async (root: string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(host(root, `${GATE}/waiting`))) {
    if (Date.now() > deadline) throw new Error("the activation never started");
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Let generation 2's activation finish. */
const openGate = (root: string): void => fs.writeFileSync(host(root, `${GATE}/open`), "");

interface Spawned {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once standard error contains `text`. */
  readonly seen: (text: string) => Promise<void>;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** The binary as a user starts it, without a terminal; output is collected as it comes. */
const start = (root: string, ...args: ReadonlyArray<string>): Spawned => {
  const child = spawn(process.execPath, [BIN, "--root", root, ...args], { cwd: REPO, env: { ...process.env, TZ: "UTC" } });
  let out = "";
  let err = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString("utf8");
  });
  child.stderr.on("data", (b: Buffer) => {
    err += b.toString("utf8");
    for (const w of waiters.splice(0)) w();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  const seen = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (err.includes(text)) return resolve();
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`exited before printing '${text}':\n${err}`));
        waiters.push(check);
      };
      check();
      void exited.then(check);
    });
  return { child, stdout: () => out, stderr: () => err, seen, exited };
};

describe.concurrent("a signal before the commit point: stop at the next step boundary, revert, exit 128 + n", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)("%s during the activation", async (signal, code) => {
    const root = twoGenerations();
    const before = hash(root, [GATE]);
    const apply = start(root, "apply", "switch", "2", "--yes");
    await apply.seen("| activation started");
    apply.child.kill(signal);
    // Told at once, while the activation still runs; only then may it finish.
    await apply.seen(`switchyard: ${signal} received; stopping at the next step boundary`);
    openGate(root);
    const end = await apply.exited;
    const stderr = apply.stderr();
    expect({ end, stderr }).toMatchObject({ end: { code, signal: null } });
    // Told at once, acted on once the activation had finished: the next step never ran.
    expect(stderr).toContain(`switchyard: ${signal} received; stopping at the next step boundary (past the commit point the apply finishes instead)\n`);
    expect(stderr).toContain("| activation finished (switch)");
    expect(stderr).toMatch(new RegExp(`switchyard: ${signal} received: stopped before step 3 'check /var/lib/switchyard/profiles/system-2-link -> `));
    expect(stderr).not.toMatch(/^\[3\/[0-9]+\]/m);
    expect(stderr).toContain("reverted: the previous generation is running again; the boot default did not move");
    expect(stderr).toContain("| activation finished (revert)");
    expect(stderr).not.toContain("internal error");
    expect(hash(root, [GATE])).toBe(before);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(readLink(root, "/run/current-system")).toBe(systemOf(1));
    expect(exists(root, JOURNAL)).toBe(false);
    // The lock went with it: the next apply runs.
    expect((await run(root, "apply", "switch", "2", "--yes")).code).toBe(0);
  });
});

describe("a signal after the commit point: the apply finishes", () => {
  it("SIGTERM while deleting 1,200 generations: every one is deleted, exit 143", async () => {
    const generations = Array.from({ length: 1_201 }, (_, i) => ({ number: i + 1, activate: null }));
    const make = () => tempRoot({ generations, current: 1_201, running: 1_201, booted: 1_201, nowMs: NOW_MS });
    const reference = make();
    expect((await run(reference, "apply", "delete", "1..1200", "--yes")).code).toBe(0);
    const root = make();
    const apply = start(root, "apply", "delete", "1..1200", "--yes");
    await apply.seen("commit: make it permanent");
    apply.child.kill("SIGTERM");
    const end = await apply.exited;
    const stderr = apply.stderr();
    expect({ end, tail: stderr.slice(-400) }).toMatchObject({ end: { code: 143, signal: null } });
    expect(stderr).toContain("switchyard: SIGTERM received; stopping at the next step boundary (past the commit point the apply finishes instead)\n");
    expect(stderr).toContain("switchyard: SIGTERM received after the commit point: the transition was finished, not stopped half-way\n");
    expect(apply.stdout()).toMatch(/deleted generations 1-1200 in [0-9.]+ s/);
    // The fixture made each profile link at its own moment; the apply does not touch it.
    expect(treeHash(root, { profileLinkMtime: false })).toBe(treeHash(reference, { profileLinkMtime: false }));
    expect(exists(root, JOURNAL)).toBe(false);
  }, 60_000);
});

describe("a closed standard output never aborts an apply", () => {
  it("the reader goes away after the first line (apply … 2>&1 | head -1): the switch still completes, exit 0", async () => {
    const root = twoGenerations();
    const apply = start(root, "apply", "switch", "2", "--yes");
    await new Promise<void>((resolve) => apply.child.stdout.once("data", () => resolve()));
    // Both read ends closed while the activation still runs: every later line meets EPIPE.
    apply.child.stdout.destroy();
    apply.child.stderr.destroy();
    await activationWaiting(root);
    openGate(root);
    const end = await apply.exited;
    expect(end).toEqual({ code: 0, signal: null });
    expect(readLink(root, PROFILE)).toBe("system-2-link");
    expect(readLink(root, "/run/current-system")).toBe(systemOf(2));
    expect(exists(root, JOURNAL)).toBe(false);
    expect(exists(root, "/var/lib/switchyard/lock")).toBe(false);
  });
});

/**
 * Runs `switchyard ARGS` on a pseudo-terminal; says "PROMPT PID" on its standard error once the
 * question shows, and passes on whatever it is given on standard input.
 */
const DRIVER = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out, prompted, deadline = b"", False, time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd, 0] if prompted else [fd], [], [], 0.1)
    if fd in ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not prompted and b"[y/N]" in out:
        prompted = True
        sys.stderr.write("PROMPT %d\\n" % pid)
        sys.stderr.flush()
    if prompted and 0 in ready:
        os.write(fd, os.read(0, 64))
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
`;

describe("the confirmation prompt does not hold the lock", () => {
  it.skipIf(!hasPython)("another apply runs while the prompt waits; answering y afterwards refuses (exit 3): the plan changed", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current: 1, running: 1, booted: 1, nowMs: NOW_MS });
    const driver = spawn("python3", ["-c", DRIVER, process.execPath, BIN, "--root", root, "apply", "switch", "2"], { env: { ...process.env, TZ: "UTC" } });
    let output = "";
    driver.stdout.on("data", (b: Buffer) => {
      output += b.toString("utf8");
    });
    const exited = new Promise<number>((resolve) => driver.on("close", (code) => resolve(code ?? -1)));
    await new Promise<void>((resolve, reject) => {
      driver.stderr.on("data", (b: Buffer) => (b.toString("utf8").includes("PROMPT") ? resolve() : undefined));
      void exited.then((code) => reject(new Error(`the prompt never showed (exit ${code})`)));
    });
    // The lock is free: a second apply, not willing to wait, gets it at once.
    const other = await run(root, "apply", "switch", "3", "--yes", "--wait-lock", "0");
    expect({ code: other.code, stderr: other.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("commit") });
    expect(readLink(root, PROFILE)).toBe("system-3-link");
    const after = hash(root);
    driver.stdin.write("y\r");
    const code = await exited;
    expect({ code, output: output.slice(-600) }).toMatchObject({ code: 3 });
    expect(output).toContain("the machine changed while the plan waited for an answer; nothing was applied: run the command again");
    expect(hash(root)).toBe(after);
  });

  it.skipIf(!hasPython)("answered y with nothing changed meanwhile, it takes the lock then and applies", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }], current: 1, running: 1, booted: 1, nowMs: NOW_MS });
    const driver = spawn("python3", ["-c", DRIVER, process.execPath, BIN, "--root", root, "apply", "switch", "2"], { env: { ...process.env, TZ: "UTC" } });
    const exited = new Promise<number>((resolve) => driver.on("close", (code) => resolve(code ?? -1)));
    await new Promise<void>((resolve) => driver.stderr.on("data", (b: Buffer) => (b.toString("utf8").includes("PROMPT") ? resolve() : undefined)));
    expect(fs.existsSync(path.join(root, "var/lib/switchyard/lock"))).toBe(false);
    driver.stdin.write("y\r");
    expect(await exited).toBe(0);
    expect(readLink(root, PROFILE)).toBe("system-2-link");
  });

  it.skipIf(!hasPython)("SIGTERM while the prompt waits: nothing applied, exit 143", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }], current: 1, running: 1, booted: 1, nowMs: NOW_MS });
    const before = hash(root);
    const driver = spawn("python3", ["-c", DRIVER, process.execPath, BIN, "--root", root, "apply", "switch", "2"], { env: { ...process.env, TZ: "UTC" } });
    let output = "";
    driver.stdout.on("data", (b: Buffer) => {
      output += b.toString("utf8");
    });
    const exited = new Promise<number>((resolve) => driver.on("close", (code) => resolve(code ?? -1)));
    const pid = await new Promise<number>((resolve) => driver.stderr.on("data", (b: Buffer) => {
      const m = /PROMPT ([0-9]+)/.exec(b.toString("utf8"));
      if (m !== null) resolve(Number(m[1]));
    }));
    process.kill(pid, "SIGTERM");
    expect({ code: await exited, output: output.slice(-300) }).toMatchObject({ code: 143 });
    expect(output).toContain("switchyard: SIGTERM received at the prompt; nothing was applied");
    expect(output).not.toContain("internal error");
    expect(hash(root)).toBe(before);
  });
});

/**
 * The ProcessRunner port's contract, run against the live runner (real programs under `sh`) and
 * the scripted twin (each program's behaviour written down as the script it stands for): how a run
 * ends, what it reports, and how long it takes. Then what only real processes can show: the
 * timeout ends the whole process group (TERM, then KILL for a group that ignores TERM), a child
 * left in the background neither blocks the run nor survives a timeout of its parent, and a
 * detached program keeps running with its output appended to its log.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Effect, Either } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import * as MemoryProcessRunner from "../../packages/interpreter/src/memory/MemoryProcessRunner.js";
import { NodeProcessRunnerLive } from "../../packages/interpreter/src/node/NodeProcessRunner.js";
import { ProcessRunner, type ProcessRunnerService, type RunRequest } from "../../packages/interpreter/src/ports/ProcessRunner.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-process-"));
/** Background children the tests leave behind write their pid to `dir/*.pid`; none outlives the file. */
afterAll(() => {
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".pid"))) {
    for (const pid of fs.readFileSync(path.join(dir, name), "utf8").split("\n").filter((l) => l !== "")) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Program {
  /** What the live runner executes. */
  readonly sh: string;
  /** What the twin does for it. */
  readonly behaviour: (request: RunRequest) => MemoryProcessRunner.Behaviour;
}

const programs = {
  lines: { sh: "echo one; echo two; printf three", behaviour: () => ({ _tag: "Exit", code: 0, lines: ["one", "two", "three"] }) },
  status3: { sh: "echo failing; exit 3", behaviour: () => ({ _tag: "Exit", code: 3, lines: ["failing"] }) },
  killed: { sh: "kill -TERM $$", behaviour: () => ({ _tag: "Exit", code: 0, signal: "SIGTERM" }) },
  envAndCwd: { sh: 'echo "$GREETING from $(pwd)"', behaviour: (r) => ({ _tag: "Exit", code: 0, lines: [`${r.env.GREETING} from ${r.cwd}`] }) },
  foreground: { sh: "echo waiting; sleep 1000", behaviour: () => ({ _tag: "Hang", lines: ["waiting"] }) },
  streams: { sh: "echo out; echo err >&2; printf last", behaviour: () => ({ _tag: "Exit", code: 0, lines: ["out", "last"], stderr: ["err"] }) },
  background: { sh: `sleep 1000 & echo $! >> ${dir}/contract.pid; echo started`, behaviour: () => ({ _tag: "Exit", code: 0, lines: ["started"] }) },
} satisfies Record<string, Program>;

const byScript = new Map<string, Program>(Object.values(programs).map((p) => [p.sh, p]));
const twin = MemoryProcessRunner.make({
  script: (request) => byScript.get(request.argv[2] ?? "")?.behaviour(request) ?? { _tag: "SpawnFails" },
});

const serviceOf = (layer: typeof NodeProcessRunnerLive): ProcessRunnerService => Effect.runSync(Effect.provide(ProcessRunner, layer));

const killHard = (pid: number) => process.kill(pid, "SIGKILL");

describe.each([
  ["NodeProcessRunner", serviceOf(NodeProcessRunnerLive), killHard],
  ["MemoryProcessRunner", serviceOf(twin.layer), twin.kill],
] as const)("ProcessRunner contract: %s", (_name, runner, kill) => {
  const run = async (program: Program, timeoutMs = 10_000, env: Record<string, string> = {}) => {
    const lines: Array<string> = [];
    const started = Date.now();
    const result = await Effect.runPromise(runner.run({ argv: ["sh", "-c", program.sh], env, cwd: dir, timeoutMs, onLine: (l) => lines.push(l) }));
    return { ...result, lines, elapsedMs: Date.now() - started };
  };

  it("streams every output line, the last one even without a newline, and keeps them for the report", async () => {
    const r = await run(programs.lines);
    expect(r).toMatchObject({ exitCode: 0, signal: null, timedOut: false, lastLines: ["one", "two", "three"] });
    expect(r.lines).toEqual(["one", "two", "three"]);
  });

  it("says which stream each line came on (a check's report is its standard output only)", async () => {
    const seen: Array<string> = [];
    await Effect.runPromise(runner.run({ argv: ["sh", "-c", programs.streams.sh], env: {}, cwd: dir, timeoutMs: 10_000, onLine: (l, stream) => seen.push(`${stream} ${l}`) }));
    expect(seen.sort()).toEqual(["stderr err", "stdout last", "stdout out"]);
  });

  it("reports a non-zero exit status with the last lines", async () => {
    expect(await run(programs.status3)).toMatchObject({ exitCode: 3, signal: null, timedOut: false, lastLines: ["failing"] });
  });

  it("reports the signal that killed it", async () => {
    expect(await run(programs.killed)).toMatchObject({ exitCode: null, signal: "SIGTERM", timedOut: false });
  });

  it("passes the environment and the working directory", async () => {
    expect((await run(programs.envAndCwd, 10_000, { GREETING: "hello" })).lastLines).toEqual([`hello from ${dir}`]);
  });

  it("ends a program that outlives its timeout at the timeout, keeping what it printed", async () => {
    const r = await run(programs.foreground, 2000);
    expect(r).toMatchObject({ exitCode: null, signal: "SIGTERM", timedOut: true, lastLines: ["waiting"] });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(1900);
    expect(r.elapsedMs).toBeLessThan(3500);
  });

  it("succeeds as soon as a program exits 0, whatever a child it left in the background holds open", async () => {
    const r = await run(programs.background, 10_000);
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, lastLines: ["started"] });
    expect(r.elapsedMs).toBeLessThan(1500);
  });

  it("fails with SpawnFailed for a program that does not exist, and for an empty command", async () => {
    for (const argv of [[path.join(dir, "no-such-program")], []]) {
      const r = await Effect.runPromise(Effect.either(runner.run({ argv, env: {}, cwd: dir, timeoutMs: 1000 })));
      expect(Either.isLeft(r) && r.left.reason, JSON.stringify(argv)).toBe("SpawnFailed");
    }
  });

  it("knows no process for pid 0 or a negative pid (they name process groups)", async () => {
    for (const pid of [0, -1, 1.5]) {
      expect(await Effect.runPromise(runner.inspect(pid))).toBeNull();
      expect(await Effect.runPromise(runner.isAlive(pid))).toBe(false);
    }
  });

  it("starts a detached program that stays alive, with its command, until it ends", async () => {
    const pid = await Effect.runPromise(runner.startDetached({ argv: ["sleep", "1000"], cwd: dir, logFile: path.join(dir, "detached.log") }));
    expect(await Effect.runPromise(runner.inspect(pid))).toEqual({ pid, command: "sleep" });
    expect(await Effect.runPromise(runner.isAlive(pid))).toBe(true);
    kill(pid);
    const gone = async () => {
      for (let i = 0; i < 100; i++) {
        if ((await Effect.runPromise(runner.inspect(pid))) === null) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    expect(await gone()).toBe(true);
  });
});

describe("NodeProcessRunner: process groups", () => {
  const runner = serviceOf(NodeProcessRunnerLive);
  const alive = (pid: number) => Effect.runPromise(runner.isAlive(pid));
  const pidFile = (name: string) => path.join(dir, name);
  const readPid = (file: string) => Number(fs.readFileSync(file, "utf8").trim());
  const exec = (script: string, timeoutMs: number) => {
    const started = Date.now();
    return Effect.runPromise(runner.run({ argv: ["sh", "-c", script], env: {}, cwd: dir, timeoutMs })).then((r) => ({ ...r, elapsedMs: Date.now() - started }));
  };
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  };

  it("a timeout ends the whole group: the child in the background dies with its parent", async () => {
    const file = pidFile("bg.pid");
    const r = await exec(`sleep 1000 & echo $! > ${file}; sleep 1000`, 2000);
    expect(r.timedOut).toBe(true);
    expect(r.elapsedMs).toBeLessThan(3500);
    const child = readPid(file);
    expect(await eventually(async () => !(await alive(child))), `background child ${child} still runs`).toBe(true);
  });

  it("a group that ignores SIGTERM is killed after the grace period", async () => {
    const file = pidFile("stubborn.pid");
    // An ignored signal stays ignored across fork and exec: every process of the group ignores TERM.
    const r = await exec(`trap '' TERM; sleep 1000 & echo $! > ${file}; sleep 1000`, 1000);
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGKILL" });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(2900);
    expect(r.elapsedMs).toBeLessThan(5000);
    const child = readPid(file);
    expect(await eventually(async () => !(await alive(child)))).toBe(true);
  });

  it("a child left running by a program that exited 0 keeps running: it is the program's business", async () => {
    const file = pidFile("daemon.pid");
    const r = await exec(`sleep 1000 & echo $! > ${file}; echo done`, 10_000);
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, lastLines: ["done"] });
    expect(r.elapsedMs).toBeLessThan(1500);
    const child = readPid(file);
    expect(await alive(child)).toBe(true);
    process.kill(child, "SIGKILL");
  });

  it("a detached program's output is appended to its log", async () => {
    const log = path.join(dir, "append.log");
    fs.writeFileSync(log, "before\n");
    await Effect.runPromise(runner.startDetached({ argv: ["sh", "-c", "echo out; echo err >&2"], cwd: dir, logFile: log }));
    expect(await eventually(async () => fs.readFileSync(log, "utf8").split("\n").length >= 4)).toBe(true);
    expect(fs.readFileSync(log, "utf8").split("\n").sort()).toEqual(["", "before", "err", "out"]);
  });

  it("a detached program that cannot be started is a SpawnFailed error", async () => {
    const r = await Effect.runPromise(Effect.either(runner.startDetached({ argv: [path.join(dir, "missing")], cwd: dir, logFile: path.join(dir, "x.log") })));
    expect(Either.isLeft(r) && r.left.reason).toBe("SpawnFailed");
  });
});

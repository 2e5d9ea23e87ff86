/**
 * The live process runner: spawns the program directly (no shell, so nothing in a record is ever
 * interpreted) as the leader of a process group of its own, streams its output line by line and
 * keeps the last lines for error reports.
 *
 * The run ends when the program exits, not when its output pipes close: a child it left in the
 * background (a daemon, `sleep 1000 &`) may hold them open for ever, so after the exit the output
 * still buffered is drained for a moment and the pipes are let go. A program that outlives its
 * timeout has its whole group ended — SIGTERM, a grace period, SIGKILL — so nothing it started
 * outlives the timeout either.
 */
import type { ChildProcessByStdio } from "node:child_process";
import * as os from "node:os";
import type { Readable } from "node:stream";
import { Effect, Layer } from "effect";
import { ProcessError, ProcessRunner, type ProcessRunnerService, type RunRequest, type RunResult } from "../ports/ProcessRunner.js";
import * as NodeProcesses from "./NodeProcesses.js";

const KEEP_LINES = 20;
const KILL_GRACE_MS = 2000;
/** How long output written just before the exit may take to arrive. */
const DRAIN_MS = 50;
const POLL_MS = 25;

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Signal every process of the group `pid` leads. */
const signalGroup = (pid: number | undefined, signal: NodeJS.Signals): void => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
};

const start = (request: RunRequest, file: string, args: ReadonlyArray<string>): Child | ProcessError => {
  try {
    return NodeProcesses.childProcess().spawn(file, args, { cwd: request.cwd, env: { ...process.env, ...request.env }, stdio: ["ignore", "pipe", "pipe"], detached: true, ...request.user });
  } catch (e) {
    return new ProcessError({ reason: "SpawnFailed", argv: request.argv, message: `cannot run ${file}: ${(e as Error).message}` });
  }
};

const run = (request: RunRequest) =>
  Effect.async<RunResult, ProcessError>((resume) => {
    const [file, ...args] = request.argv;
    const child = file === undefined ? new ProcessError({ reason: "SpawnFailed", argv: request.argv, message: "empty command" }) : start(request, file, args);
    if (child instanceof ProcessError) return resume(Effect.fail(child));
    const last: Array<string> = [];
    const partial = { out: "", err: "" };
    const emit = (line: string, key: "out" | "err") => {
      last.push(line);
      if (last.length > KEEP_LINES) last.shift();
      request.onLine?.(line, key === "out" ? "stdout" : "stderr");
    };
    const feed = (key: "out" | "err") => (text: string) => {
      const lines = (partial[key] + text).split("\n");
      partial[key] = lines.pop() ?? "";
      for (const line of lines) emit(line, key);
    };
    child.stdout.setEncoding("utf8").on("data", feed("out"));
    child.stderr.setEncoding("utf8").on("data", feed("err"));

    let exit: { readonly code: number | null; readonly signal: string | null } | null = null;
    let timedOut = false;
    // After a timeout the run waits for the whole group, not only its leader, to be gone.
    let groupEnded = true;
    let finished = false;
    const timers: Array<NodeJS.Timeout> = [];
    const later = (ms: number, f: () => void) => void timers.push(setTimeout(f, ms));
    const release = () => {
      for (const t of timers) clearTimeout(t);
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const finish = () => {
      if (finished || exit === null || !groupEnded) return;
      finished = true;
      release();
      for (const key of ["out", "err"] as const) if (partial[key] !== "") emit(partial[key], key);
      resume(Effect.succeed({ exitCode: exit.code, signal: exit.signal, timedOut, lastLines: last }));
    };
    const watchGroup = (deadline: number) => {
      if (child.pid === undefined || !NodeProcesses.groupRuns(child.pid)) groupEnded = true;
      else if (Date.now() >= deadline) {
        signalGroup(child.pid, "SIGKILL");
        groupEnded = true;
      } else return later(POLL_MS, () => watchGroup(deadline));
      if (exit !== null) later(DRAIN_MS, finish);
    };
    later(request.timeoutMs, () => {
      if (exit !== null) return;
      timedOut = true;
      groupEnded = false;
      signalGroup(child.pid, "SIGTERM");
      watchGroup(Date.now() + KILL_GRACE_MS);
    });
    child.on("error", (e) => {
      if (finished) return;
      finished = true;
      release();
      resume(Effect.fail(new ProcessError({ reason: "SpawnFailed", argv: request.argv, message: `cannot run ${file}: ${e.message}` })));
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      later(DRAIN_MS, finish);
    });
    // Both pipes closed after the exit: all output is in, no need to wait for the drain.
    child.on("close", finish);
    return Effect.sync(() => {
      release();
      signalGroup(child.pid, "SIGKILL");
    });
  });

export const nodeProcessRunner: ProcessRunnerService = {
  run,
  startDetached: NodeProcesses.startDetached,
  inspect: NodeProcesses.inspect,
  pid: process.pid,
  bootId: NodeProcesses.bootId,
  kernelRelease: os.release(),
  isAlive: NodeProcesses.isAlive,
};

export const NodeProcessRunnerLive = Layer.succeed(ProcessRunner, nodeProcessRunner);

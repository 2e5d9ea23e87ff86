/**
 * The live process runner: spawns the program directly (no shell, so nothing in a record is ever
 * interpreted), streams its output line by line, keeps the last lines for error reports, and
 * kills it (SIGTERM, then SIGKILL) when it outlives its timeout.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Effect, Layer } from "effect";
import { ProcessError, ProcessRunner, type RunRequest, type RunResult } from "../ports/ProcessRunner.js";

const KEEP_LINES = 20;
const KILL_GRACE_MS = 2000;

const run = (request: RunRequest) =>
  Effect.async<RunResult, ProcessError>((resume) => {
    const [file, ...args] = request.argv;
    if (file === undefined) {
      resume(Effect.fail(new ProcessError({ reason: "SpawnFailed", argv: request.argv, message: "empty command" })));
      return;
    }
    const child = spawn(file, args, { cwd: request.cwd, env: { ...process.env, ...request.env }, stdio: ["ignore", "pipe", "pipe"] });
    const last: Array<string> = [];
    const partial = { out: "", err: "" };
    const emit = (line: string) => {
      last.push(line);
      if (last.length > KEEP_LINES) last.shift();
      request.onLine?.(line);
    };
    const feed = (key: "out" | "err") => (chunk: Buffer) => {
      const text = partial[key] + chunk.toString("utf8");
      const lines = text.split("\n");
      partial[key] = lines.pop() ?? "";
      for (const line of lines) emit(line);
    };
    child.stdout.on("data", feed("out"));
    child.stderr.on("data", feed("err"));
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      killer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    }, request.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resume(Effect.fail(new ProcessError({ reason: "SpawnFailed", argv: request.argv, message: `cannot run ${file}: ${e.message}` })));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (killer !== undefined) clearTimeout(killer);
      for (const key of ["out", "err"] as const) if (partial[key] !== "") emit(partial[key]);
      resume(Effect.succeed({ exitCode: code, signal, timedOut, lastLines: last }));
    });
    return Effect.sync(() => {
      clearTimeout(timer);
      child.kill("SIGKILL");
    });
  });

/** A zombie has exited: only its entry waits to be reaped, so it holds nothing any more. */
const isZombie = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
};

const isAlive = (pid: number) =>
  Effect.sync(() => {
    try {
      process.kill(pid, 0);
      return !isZombie(pid);
    } catch (e) {
      // EPERM: it exists but belongs to someone else.
      return (e as NodeJS.ErrnoException).code === "EPERM" && !isZombie(pid);
    }
  });

const bootId = (() => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "unknown";
  }
})();

export const NodeProcessRunnerLive = Layer.succeed(ProcessRunner, { run, pid: process.pid, bootId, isAlive });

/**
 * What the live process runner knows about processes other than the ones it waits for: whether a
 * pid is alive and what it runs (from `/proc`, so a zombie or a recycled pid is told apart), the
 * boot id, and starting a program detached in a session of its own with its output appended to a
 * file (switchyard's own s6-svscan, which outlives the command that started it).
 */
import type * as ChildProcess from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { Effect } from "effect";
import { type DetachRequest, ProcessError, type ProcessInfo } from "../ports/ProcessRunner.js";

// Loaded on first use: only commands that run programs need it, and loading it costs milliseconds.
let loaded: typeof ChildProcess | undefined;
export const childProcess = (): typeof ChildProcess => (loaded ??= process.getBuiltinModule("node:child_process"));

const validPid = (pid: number): boolean => Number.isSafeInteger(pid) && pid > 0;

/** The state letter of `/proc/PID/stat` (after the command in parentheses, which may hold anything), or null. */
const procState = (pid: number): string | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return null;
  }
};

const exists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Whether any process of the group `pgid` is still running. Zombies do not count: an orphan that
 * died is reaped by whatever adopted it, perhaps much later, and holds nothing meanwhile.
 */
export const groupRuns = (pgid: number): boolean => {
  let entries: ReadonlyArray<string>;
  try {
    entries = readdirSync("/proc");
  } catch {
    // No /proc: signal 0 says whether the group has members, zombies included.
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(comm) ": state ppid pgrp …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
};

/** Alive and not a zombie (a zombie has exited: only its entry waits to be reaped). */
export const isAlive = (pid: number) => Effect.sync(() => validPid(pid) && exists(pid) && procState(pid) !== "Z");

export const inspect = (pid: number) =>
  Effect.sync((): ProcessInfo | null => {
    if (!validPid(pid) || !exists(pid) || procState(pid) === "Z") return null;
    try {
      return { pid, command: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "" };
    } catch {
      return null;
    }
  });

export const bootId = (() => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "unknown";
  }
})();

export const startDetached = (request: DetachRequest) =>
  Effect.try({
    try: () => {
      const [file, ...args] = request.argv;
      if (file === undefined) throw new Error("empty command");
      const fd = openSync(request.logFile, "a", 0o644);
      try {
        const child = childProcess().spawn(file, args, { cwd: request.cwd, detached: true, stdio: ["ignore", fd, fd] });
        child.on("error", () => undefined);
        child.unref();
        if (child.pid === undefined) throw new Error(`${file} not found in PATH`);
        return child.pid;
      } finally {
        closeSync(fd);
      }
    },
    catch: (e) => new ProcessError({ reason: "SpawnFailed", argv: request.argv, message: `cannot start ${request.argv[0] ?? "(nothing)"}: ${(e as Error).message}` }),
  });

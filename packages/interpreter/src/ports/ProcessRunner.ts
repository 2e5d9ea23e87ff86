/**
 * The process port: run a program (an activation script, a service's reload command) with an
 * environment and a timeout, streaming its output, and report how it ended with its last lines;
 * start a long-lived program detached (switchyard's own s6-svscan); and ask about a pid. Implemented
 * by `NodeProcessRunner` (real processes, each in its own process group) and the scripted
 * `MemoryProcessRunner` of the tests.
 */
import { Context, Data, type Effect } from "effect";

export interface RunRequest {
  readonly argv: ReadonlyArray<string>;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** After this the program's whole process group is ended (TERM, a grace period, KILL). */
  readonly timeoutMs: number;
  /** Called with each complete output line (stdout and stderr interleaved) as it arrives, and which stream it came on. */
  readonly onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Run as this user and group instead of switchyard's own (a migration's `user`). */
  readonly user?: { readonly uid: number; readonly gid: number };
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The last lines of output, for error reports. */
  readonly lastLines: ReadonlyArray<string>;
}

export interface DetachRequest {
  readonly argv: ReadonlyArray<string>;
  readonly cwd: string;
  /** Host path of the file its standard output and error are appended to. */
  readonly logFile: string;
}

/** A live process (not a zombie), as `inspect` sees it. */
export interface ProcessInfo {
  readonly pid: number;
  /** Its argv[0] as the kernel reports it. */
  readonly command: string;
}

export class ProcessError extends Data.TaggedError("ProcessError")<{
  /**
   * SpawnFailed: it could not be started; TimedOut: it outlived its timeout and was ended; Failed: it
   * exited non-zero or was killed; Injected: a test layer's fault.
   */
  readonly reason: "SpawnFailed" | "TimedOut" | "Failed" | "Injected";
  readonly argv: ReadonlyArray<string>;
  readonly message: string;
}> {}

export interface ProcessRunnerService {
  /** Run a program to its end (or its timeout). A program that exits ends the run, whatever its children still hold open. */
  readonly run: (request: RunRequest) => Effect.Effect<RunResult, ProcessError>;
  /** Start a program in a session of its own, not waited for, and return its pid. */
  readonly startDetached: (request: DetachRequest) => Effect.Effect<number, ProcessError>;
  /** The live process with this pid, or null (none, a zombie, or not a valid pid). */
  readonly inspect: (pid: number) => Effect.Effect<ProcessInfo | null>;
  /** This process's id, recorded in the lock. */
  readonly pid: number;
  /** Identifies the current boot, so a lock left before a reboot is not mistaken for a live one. */
  readonly bootId: string;
  /** The running kernel's release (`uname -r`), which the checks of a switch compare with what a generation requires. */
  readonly kernelRelease: string;
  /** Whether a process with this id exists, so a lock left by a dead holder can be taken over. */
  readonly isAlive: (pid: number) => Effect.Effect<boolean>;
}

export class ProcessRunner extends Context.Tag("switchyard/ProcessRunner")<ProcessRunner, ProcessRunnerService>() {}

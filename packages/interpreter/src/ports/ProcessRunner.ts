/**
 * The process port: run a program (an activation script, a service's reload command) with an
 * environment and a timeout, streaming its output, and report how it ended with its last lines.
 */
import { Context, Data, type Effect } from "effect";

export interface RunRequest {
  readonly argv: ReadonlyArray<string>;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Called with each complete output line (stdout and stderr interleaved) as it arrives. */
  readonly onLine?: (line: string) => void;
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The last lines of output, for error reports. */
  readonly lastLines: ReadonlyArray<string>;
}

export class ProcessError extends Data.TaggedError("ProcessError")<{
  readonly reason: "SpawnFailed" | "Injected";
  readonly argv: ReadonlyArray<string>;
  readonly message: string;
}> {}

export interface ProcessRunnerService {
  readonly run: (request: RunRequest) => Effect.Effect<RunResult, ProcessError>;
  /** This process's id, recorded in the lock. */
  readonly pid: number;
  /** Identifies the current boot, so a lock left before a reboot is not mistaken for a live one. */
  readonly bootId: string;
  /** Whether a process with this id exists, so a lock left by a dead holder can be taken over. */
  readonly isAlive: (pid: number) => Effect.Effect<boolean>;
}

export class ProcessRunner extends Context.Tag("switchyard/ProcessRunner")<ProcessRunner, ProcessRunnerService>() {}

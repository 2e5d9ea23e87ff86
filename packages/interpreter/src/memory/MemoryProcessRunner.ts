/**
 * The scripted twin of the process port, for tests: nothing is executed. A script says what each
 * request does — print lines and exit, be killed, hang until its timeout (taking that long on the
 * Effect clock), or fail to start — and the twin records every request. Detached programs get
 * fresh pids and stay alive until `kill`; `isAlive` and `inspect` answer from that table.
 */
import { Duration, Effect, Layer } from "effect";
import { type DetachRequest, ProcessError, type ProcessInfo, ProcessRunner, type RunRequest, type RunResult } from "../ports/ProcessRunner.js";

export type Behaviour =
  /** Print `lines` (and `stderr` on standard error), then exit with `code` (or be killed by `signal`), after `afterMs` on the Effect clock (default at once). */
  | { readonly _tag: "Exit"; readonly lines?: ReadonlyArray<string>; readonly stderr?: ReadonlyArray<string>; readonly code: number; readonly signal?: string; readonly afterMs?: number }
  /** Print `lines`, then never exit by itself: the timeout ends it, as SIGTERM would. */
  | { readonly _tag: "Hang"; readonly lines?: ReadonlyArray<string> }
  | { readonly _tag: "SpawnFails" };

export type Script = (request: RunRequest) => Behaviour;

export interface Options {
  readonly script?: Script;
  readonly pid?: number;
  readonly bootId?: string;
  /** What `kernelRelease` reports (default "6.1.0-memory"). */
  readonly kernelRelease?: string;
  /** Processes alive from the start, pid → command. */
  readonly processes?: ReadonlyArray<readonly [number, string]>;
}

export interface MemoryProcessRunner {
  readonly layer: Layer.Layer<ProcessRunner>;
  /** Every request `run` received, in order. */
  readonly runs: ReadonlyArray<RunRequest>;
  readonly detached: ReadonlyArray<DetachRequest>;
  /** Change what programs do from now on. */
  readonly setScript: (script: Script) => void;
  /** End a process (as if it exited). */
  readonly kill: (pid: number) => void;
}

const succeed: Script = () => ({ _tag: "Exit", code: 0 });

export const make = (options: Options = {}): MemoryProcessRunner => {
  let script = options.script ?? succeed;
  const runs: Array<RunRequest> = [];
  const detached: Array<DetachRequest> = [];
  const processes = new Map<number, string>(options.processes ?? []);
  let nextPid = 10_000;

  const run = (request: RunRequest) =>
    Effect.suspend((): Effect.Effect<RunResult, ProcessError> => {
      runs.push(request);
      const behaviour = request.argv.length === 0 ? ({ _tag: "SpawnFails" } as const) : script(request);
      if (behaviour._tag === "SpawnFails") {
        return Effect.fail(new ProcessError({ reason: "SpawnFailed", argv: request.argv, message: `cannot run ${request.argv[0] ?? "(nothing)"}: not found` }));
      }
      const lines = behaviour.lines ?? [];
      for (const line of lines) request.onLine?.(line, "stdout");
      if (behaviour._tag === "Exit") for (const line of behaviour.stderr ?? []) request.onLine?.(line, "stderr");
      const lastLines = lines.slice(-20);
      if (behaviour._tag === "Hang") {
        return Effect.as(Effect.sleep(Duration.millis(request.timeoutMs)), { exitCode: null, signal: "SIGTERM", timedOut: true, lastLines });
      }
      const killed = behaviour.signal !== undefined;
      const ended = Effect.succeed({ exitCode: killed ? null : behaviour.code, signal: behaviour.signal ?? null, timedOut: false, lastLines });
      return behaviour.afterMs === undefined ? ended : Effect.zipRight(Effect.sleep(Duration.millis(behaviour.afterMs)), ended);
    });

  const startDetached = (request: DetachRequest) =>
    Effect.sync(() => {
      detached.push(request);
      const pid = nextPid++;
      processes.set(pid, request.argv[0] ?? "");
      return pid;
    });

  const inspect = (pid: number) =>
    Effect.sync((): ProcessInfo | null => {
      const command = processes.get(pid);
      return command === undefined ? null : { pid, command };
    });

  const pid = options.pid ?? 4242;
  return {
    layer: Layer.succeed(ProcessRunner, {
      run,
      startDetached,
      inspect,
      pid,
      bootId: options.bootId ?? "memory-boot",
      kernelRelease: options.kernelRelease ?? "6.1.0-memory",
      isAlive: (p: number) => Effect.sync(() => processes.has(p)),
    }),
    runs,
    detached,
    setScript: (s) => {
      script = s;
    },
    kill: (p) => void processes.delete(p),
  };
};

/**
 * `switchyard supervisor start|stop|status`: an s6-svscan of switchyard's own on the scan
 * directory, for hosts that do not run one (and for tests and the demo). It is started detached in
 * a session of its own, its output appended to `/var/lib/switchyard/supervisor.log` and its pid
 * recorded in `/var/lib/switchyard/supervisor.pid`; it is stopped with `s6-svscanctl -t` (which
 * takes every service down first) and waited for. Both are idempotent, and serialised by
 * `supervisor.lock`, so concurrent starts leave one s6-svscan, the one the pid file names. A
 * supervisor switchyard did not start is reported, never stopped. Everything goes through the ports.
 */
import { type Config, World } from "@switchyard/model";
import { Data, Effect } from "effect";
import * as Durable from "../../durable/Durable.js";
import { FileSystem } from "../../ports/FileSystem.js";
import { ProcessRunner } from "../../ports/ProcessRunner.js";
import * as Root from "../../root/Root.js";
import * as Lock from "../../state/Lock.js";
import * as Dir from "./S6ServiceDirectory.js";
import * as S6Tools from "./S6Tools.js";

export class SupervisorError extends Data.TaggedError("SupervisorError")<{
  readonly reason: "NotOurs" | "Failed" | "Timeout";
  readonly message: string;
}> {}

export interface State {
  /** The scan directory on the host. */
  readonly scan: string;
  readonly running: boolean;
  /** The pid of the s6-svscan switchyard started, when it is the one running. */
  readonly pid: number | null;
  /** Service directories in the scan directory. */
  readonly services: number;
}

const START_TIMEOUT_MS = 5000;
const stateFile = (root: Root.Root, name: string) => Root.host(root, `${World.Paths.stateDir}/${name}`);
export const pidFile = (root: Root.Root) => stateFile(root, "supervisor.pid");
export const logFile = (root: Root.Root) => stateFile(root, "supervisor.log");

/** Alive and an s6-svscan: a zombie (nobody reaped it yet) or a recycled pid is not ours. */
const isOurSvscan = (pid: number) =>
  Effect.flatMap(ProcessRunner, (runner) => Effect.map(runner.inspect(pid), (p) => p !== null && p.command.endsWith("s6-svscan")));

const recordedPid = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const text = yield* fs.readFile(pidFile(root)).pipe(
      Effect.map((bytes) => new TextDecoder().decode(bytes).trim()),
      Effect.orElseSucceed(() => ""),
    );
    const pid = /^[1-9][0-9]*$/.test(text) ? Number(text) : null;
    return pid !== null && (yield* isOurSvscan(pid)) ? pid : null;
  });

export const status = (root: Root.Root, settings: Config.ServiceSettings) =>
  Effect.gen(function* () {
    const scan = Root.host(root, settings.scanDirectory);
    const running = yield* S6Tools.listening(scan).pipe(Effect.orElseSucceed(() => false));
    const pid = running ? yield* recordedPid(root) : null;
    const services = (yield* Dir.names(scan).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))).length;
    return { scan, running, pid, services } satisfies State;
  });

const failed = (e: { readonly message: string }) => new SupervisorError({ reason: "Failed", message: e.message });

/** Run `body` holding `supervisor.lock`, waiting long enough for another start or stop to end. */
const serialised = <A, R>(root: Root.Root, command: string, waitMs: number, body: Effect.Effect<A, SupervisorError, R>) =>
  Lock.withLock(root, command, Math.ceil(waitMs / 1000) + 1, () => body, "supervisor.lock").pipe(
    Effect.catchTags({ LockHeld: failed, ObserveError: failed }),
  );

export const start = (root: Root.Root, settings: Config.ServiceSettings) =>
  serialised(
    root,
    "supervisor start",
    START_TIMEOUT_MS,
    Effect.gen(function* () {
      const before = yield* status(root, settings);
      if (before.running) return { ...before, started: false };
      const fs = yield* FileSystem;
      const runner = yield* ProcessRunner;
      yield* fs.makeDirectory(before.scan).pipe(Effect.mapError(failed));
      yield* fs.makeDirectory(Root.host(root, World.Paths.stateDir)).pipe(Effect.mapError(failed));
      const pid = yield* runner.startDetached({ argv: ["s6-svscan", before.scan], cwd: "/", logFile: logFile(root) }).pipe(
        Effect.mapError((e) => new SupervisorError({ reason: "Failed", message: `${e.message}; is s6 installed (s6-svscan in PATH)?` })),
      );
      yield* Durable.writeFile(pidFile(root), new TextEncoder().encode(`${pid}\n`)).pipe(Effect.mapError(failed));
      const up = yield* S6Tools.waitUntil(S6Tools.listening(before.scan).pipe(Effect.orElseSucceed(() => false)), START_TIMEOUT_MS);
      if (!up) {
        return yield* new SupervisorError({ reason: "Timeout", message: `s6-svscan (pid ${pid}) did not start listening on ${before.scan}; see ${logFile(root)}` });
      }
      return { ...(yield* status(root, settings)), started: true };
    }),
  );

export const stop = (root: Root.Root, settings: Config.ServiceSettings) =>
  serialised(
    root,
    "supervisor stop",
    settings.serviceTimeoutMs + 2 * START_TIMEOUT_MS,
    Effect.gen(function* () {
      const fs = yield* FileSystem;
      const before = yield* status(root, settings);
      if (!before.running) {
        yield* fs.remove(pidFile(root)).pipe(Effect.ignore);
        return { ...before, stopped: false };
      }
      const pid = before.pid;
      if (pid === null) {
        return yield* new SupervisorError({
          reason: "NotOurs",
          message: `the s6-svscan on ${before.scan} was not started by 'switchyard supervisor start'; stop it the way it was started`,
        });
      }
      const runner = yield* ProcessRunner;
      yield* runner.run({ argv: ["s6-svscanctl", "-t", before.scan], env: {}, cwd: "/", timeoutMs: START_TIMEOUT_MS }).pipe(Effect.ignore);
      // -t brings every service down before s6-svscan exits; allow each its timeout.
      const gone = yield* S6Tools.waitUntil(Effect.map(isOurSvscan(pid), (ours) => !ours), settings.serviceTimeoutMs + START_TIMEOUT_MS);
      if (!gone) return yield* new SupervisorError({ reason: "Timeout", message: `s6-svscan (pid ${pid}) did not exit after 's6-svscanctl -t ${before.scan}'` });
      yield* fs.remove(pidFile(root)).pipe(Effect.ignore);
      return { ...before, running: false, stopped: true };
    }),
  );

/**
 * `--service-manager s6`: services run under a real s6 supervision tree. Switchyard owns one scan
 * directory; each service is a directory in it rendered from its record (`S6Service`), and the
 * directory's `data/switchyard.json` says which revision it runs. The step operations:
 * - start / restart: put the target record's directory in place (a new one atomically; an existing
 *   one file by file), have it supervised, bring it up (`-wu -u`, or `-wr -r` when it runs another
 *   revision) and check that it stays up. Starting what already runs that revision does nothing;
 *   restarting it restarts it (`-wr -r`), since that is what was asked for.
 * - stop: run the record's `stop` command, bring it down (`-wD -d`), hide and retire the
 *   directory (`-x`, wait, remove), and let s6-svscan prune it.
 * - reload: run the record's `reload` command against the running service, then record the target
 *   revision; a service that is not running is started instead (as NixOS does).
 * Without a listening s6-svscan every operation fails, naming `switchyard supervisor start`.
 */
import { type Config, S6Service, type Step, type SystemStatus } from "@switchyard/model";
import { Effect, Layer } from "effect";
import { FileSystem, type FsError } from "../../ports/FileSystem.js";
import { ProcessRunner } from "../../ports/ProcessRunner.js";
import { ServiceError, ServiceManager, type ServiceManagerService } from "../../ports/ServiceManager.js";
import * as Root from "../../root/Root.js";
import * as Dir from "./S6ServiceDirectory.js";
import * as Lifecycle from "./S6Lifecycle.js";
import * as S6Tools from "./S6Tools.js";

export interface S6Options {
  readonly root: Root.Root;
  readonly settings: Config.ServiceSettings;
}

type Ports = FileSystem | ProcessRunner;

/** The service manager on the context's ports (a command provides it directly: no layer to build). */
export const make = (options: S6Options): Effect.Effect<ServiceManagerService, never, Ports> =>
  Effect.map(Effect.context<Ports>(), (ports) => {
    const ops = operations({ scan: Root.host(options.root, options.settings.scanDirectory), settings: options.settings }, options.root.prefix);
    const bind = <A>(e: Effect.Effect<A, ServiceError, Ports>) => Effect.provide(e, ports);
    return {
      kind: "s6",
      live: bind(ops.live),
      status: bind(ops.status),
      stop: (ref) => bind(ops.stop(ref)),
      start: (ref) => bind(ops.start(ref)),
      restart: (ref) => bind(ops.restart(ref)),
      reload: (ref) => bind(ops.reload(ref)),
    } satisfies ServiceManagerService;
  });

export const layer = (options: S6Options): Layer.Layer<ServiceManager, never, Ports> => Layer.effect(ServiceManager, make(options));

const operations = (s: Lifecycle.Scan, prefix: string) => {
  const dirOf = (name: string) => `${s.scan}/${name}`;
  const io = (name: string) => (e: FsError) => new ServiceError({ reason: "Failed", service: name, message: e.message, lastLines: [] });

  const requireSupervisor = (name: string) =>
    Effect.flatMap(Effect.zipRight(Dir.checkScan(s.scan, name), S6Tools.listening(s.scan)), (ok) =>
      ok ? Effect.void : Effect.fail(new ServiceError({ reason: "Unavailable", service: name, message: `no s6-svscan is running on ${s.scan}; run 'switchyard supervisor start'`, lastLines: [] })),
    );

  const observe = (name: string) =>
    Effect.gen(function* () {
      const st = yield* S6Tools.status(name, dirOf(name));
      const data = yield* Dir.readData(dirOf(name));
      return {
        name,
        up: st?.up ?? false,
        wantedUp: st?.wantedUp ?? false,
        pid: st?.pid ?? null,
        forSeconds: st?.forSeconds ?? 0,
        exitCode: st?.exitCode ?? null,
        signal: st?.signal ?? null,
        revision: data?.revision ?? null,
        generation: data?.generation ?? null,
        system: data?.system ?? null,
      } satisfies SystemStatus.Observed;
    });

  const status = Effect.gen(function* () {
    yield* requireSupervisor("");
    const names = yield* Dir.names(s.scan).pipe(Effect.mapError(io("")));
    return yield* Effect.forEach(names, observe, { concurrency: 8 });
  });

  /** Directories a crash left under dot names for this service: retired before anything else. */
  const sweep = (name: string) =>
    Effect.flatMap(Dir.entries(s.scan), (entries) =>
      Effect.forEach(entries.filter((e) => Dir.isLeftoverOf(e, name)), (e) => Lifecycle.retire(s, name, `${s.scan}/${e}`), { discard: true }),
    );

  /** Run the record's stop or reload command in its system directory, with its environment. */
  const runCommand = (ref: Step.ServiceRef, argv: ReadonlyArray<string>, pid: number | null) =>
    Effect.flatMap(ProcessRunner, (runner) => {
      const system = S6Service.hostPath(prefix, ref.system);
      return runner.run({
        argv: S6Service.commandArgv(argv, system),
        env: { ...ref.record.env, SWITCHYARD_SERVICE: ref.record.name, SWITCHYARD_SERVICE_PID: pid === null ? "" : String(pid) },
        cwd: system,
        timeoutMs: s.settings.serviceTimeoutMs,
      });
    });

  const start = (ref: Step.ServiceRef) =>
    Effect.gen(function* () {
      const name = ref.record.name;
      const dir = dirOf(name);
      const rendered = S6Service.render(ref, prefix);
      yield* requireSupervisor(name);
      yield* Dir.checkProgram(ref, prefix);
      yield* sweep(name);
      if (!(yield* Dir.exists(dir))) {
        yield* Dir.create(s.scan, name, rendered).pipe(Effect.mapError(io(name)));
        yield* Lifecycle.supervise(s, name, dir);
        yield* Lifecycle.bringUp(s, name, dir, "up");
        return "executed" as const;
      }
      yield* Lifecycle.supervise(s, name, dir);
      const before = yield* S6Tools.status(name, dir);
      const data = yield* Dir.readData(dir);
      if (before?.up === true && data?.revision === rendered.revision) return "executed" as const;
      yield* Dir.replace(dir, rendered).pipe(Effect.mapError(io(name)));
      yield* Lifecycle.bringUp(s, name, dir, before?.up === true ? "restart" : "up");
      return "executed" as const;
    });

  const stop = (ref: Step.ServiceRef) =>
    Effect.gen(function* () {
      const name = ref.record.name;
      const dir = dirOf(name);
      yield* requireSupervisor(name);
      yield* sweep(name);
      if (!(yield* Dir.exists(dir))) return "executed" as const;
      const before = yield* S6Tools.status(name, dir);
      // Like systemd's ExecStop: a failing stop command does not keep the service up.
      if (before?.up === true && ref.record.stop !== null) yield* Effect.ignore(runCommand(ref, ref.record.stop, before.pid));
      if (before !== null) yield* Lifecycle.bringDown(s, name, dir);
      const hidden = `${s.scan}/${Dir.hiddenName(name, "gone")}`;
      yield* Effect.flatMap(FileSystem, (fs) => fs.rename(dir, hidden).pipe(Effect.zipRight(fs.fsyncDirectory(s.scan)))).pipe(Effect.mapError(io(name)));
      yield* Lifecycle.retire(s, name, hidden);
      yield* S6Tools.rescan(name, s.scan, true);
      return "executed" as const;
    });

  const reload = (ref: Step.ServiceRef) =>
    Effect.gen(function* () {
      const name = ref.record.name;
      const dir = dirOf(name);
      const rendered = S6Service.render(ref, prefix);
      yield* requireSupervisor(name);
      const before = (yield* Dir.exists(dir)) ? yield* S6Tools.status(name, dir) : null;
      // Not running (any more): bring it up on the target record instead; no reload command: restart.
      if (before === null || !before.up || ref.record.reload === null) return yield* start(ref);
      if ((yield* Dir.readData(dir))?.revision === rendered.revision) return "executed" as const;
      const result = yield* runCommand(ref, ref.record.reload, before.pid).pipe(
        Effect.mapError((e) => new ServiceError({ reason: "Failed", service: name, message: `cannot run the reload command of ${name}: ${e.message}`, lastLines: [] })),
      );
      if (result.timedOut || result.exitCode !== 0) {
        const how = result.timedOut ? "timed out" : result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with status ${result.exitCode}`;
        return yield* Effect.fail(new ServiceError({ reason: "Failed", service: name, message: `the reload command of ${name} ${how}`, lastLines: result.lastLines }));
      }
      yield* Dir.replace(dir, rendered).pipe(Effect.mapError(io(name)));
      return "executed" as const;
    });

  /** Like start, which leaves the target revision up whatever ran before; one already up on it is restarted. */
  const restart = (ref: Step.ServiceRef) =>
    Effect.gen(function* () {
      const name = ref.record.name;
      const dir = dirOf(name);
      yield* requireSupervisor(name);
      if (!(yield* Dir.exists(dir))) return yield* start(ref);
      const before = yield* S6Tools.status(name, dir);
      const data = yield* Dir.readData(dir);
      if (before?.up !== true || data?.revision !== S6Service.render(ref, prefix).revision) return yield* start(ref);
      yield* Lifecycle.bringUp(s, name, dir, "restart");
      return "executed" as const;
    });

  const live = Effect.map(status, (all) => all.filter((o) => o.up).map((o) => o.name));

  return { live, status, start, restart, stop, reload };
};

/**
 * An in-memory service manager for tests: a map from service name to what it runs (generation,
 * system directory and the revision of its record, computed from the step's reference as s6 would
 * record it), with injectable failures (a service that will not start, a reload that fails). It
 * behaves as the s6 manager does (the contract suite runs both): each start of a process gets a
 * new pid; starting onto the revision that already runs does nothing, restarting it restarts it
 * (a new pid: that is what was asked for); a reload keeps
 * the process, and a reload of a service that is down or has no reload command starts it instead.
 */
import { ServiceRevision, type Step, type SystemStatus } from "@switchyard/model";
import { Effect, Layer } from "effect";
import { ServiceError, ServiceManager, type ServiceManagerService } from "../ports/ServiceManager.js";

export interface RunningService {
  readonly generation: number | null;
  readonly system: string;
  /** The revision of the record it last started, restarted or reloaded with; absent when a test seeded it. */
  readonly revision?: string;
}

type Operation = "stop" | "start" | "restart" | "reload";

export interface MemoryServiceManager {
  readonly service: ServiceManagerService;
  readonly layer: Layer.Layer<ServiceManager>;
  readonly running: Map<string, RunningService>;
  /** Every operation, in order: "stop db", "start web"… */
  readonly log: Array<string>;
  /** Make an operation on a service fail, e.g. failOn("start", "web"). */
  readonly failOn: (op: Operation, name: string) => void;
}

export const make = (initiallyUp: Iterable<readonly [string, RunningService]> = []): MemoryServiceManager => {
  const running = new Map<string, RunningService>(initiallyUp);
  let lastPid = 1000;
  const pids = new Map<string, number>([...running.keys()].map((name) => [name, ++lastPid]));
  const log: Array<string> = [];
  const failures = new Set<string>();
  const wanted = (ref: Step.ServiceRef): RunningService => ({ generation: ref.generation, system: ref.system, revision: ServiceRevision.ofRef(ref) });
  /** Up on the requested revision: a new process unless that revision already runs. */
  const bringUp = (name: string, next: RunningService) => {
    if (running.get(name)?.revision !== next.revision || !pids.has(name)) pids.set(name, ++lastPid);
    running.set(name, next);
  };
  const acts: Record<Operation, (ref: Step.ServiceRef) => void> = {
    stop: (ref) => {
      running.delete(ref.record.name);
      pids.delete(ref.record.name);
    },
    start: (ref) => bringUp(ref.record.name, wanted(ref)),
    restart: (ref) => {
      pids.delete(ref.record.name);
      bringUp(ref.record.name, wanted(ref));
    },
    reload: (ref) => {
      const name = ref.record.name;
      if (!running.has(name) || ref.record.reload === null) bringUp(name, wanted(ref));
      else running.set(name, wanted(ref));
    },
  };
  const op = (kind: Operation) => (ref: Step.ServiceRef) =>
    Effect.suspend(() => {
      const name = ref.record.name;
      log.push(`${kind} ${name}`);
      if (failures.has(`${kind} ${name}`)) {
        return Effect.fail(new ServiceError({ reason: "Injected", service: name, message: `${name} failed to ${kind} (injected)`, lastLines: [] }));
      }
      acts[kind](ref);
      return Effect.succeed("executed" as const);
    });
  const observed = ([name, s]: [string, RunningService]): SystemStatus.Observed => ({
    name,
    up: true,
    wantedUp: true,
    pid: pids.get(name) ?? null,
    forSeconds: 0,
    exitCode: null,
    signal: null,
    revision: s.revision ?? null,
    generation: s.generation,
    system: s.system,
  });
  const service: ServiceManagerService = {
    kind: "memory",
    live: Effect.sync(() => [...running.keys()].sort()),
    status: Effect.sync(() => [...running.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(observed)),
    stop: op("stop"),
    start: op("start"),
    restart: op("restart"),
    reload: op("reload"),
  };
  return { service, layer: Layer.succeed(ServiceManager, service), running, log, failOn: (kind, name) => failures.add(`${kind} ${name}`) };
};

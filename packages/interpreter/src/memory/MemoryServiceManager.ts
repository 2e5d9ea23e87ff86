/**
 * An in-memory service manager for tests: a map from service name to what it runs (generation,
 * system directory and the revision of its record, computed from the step's reference as s6 would
 * record it), with injectable failures (a service that will not start, a reload that fails).
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
  const log: Array<string> = [];
  const failures = new Set<string>();
  const op = (kind: Operation, act: (name: string, now: RunningService) => void) => (ref: Step.ServiceRef) =>
    Effect.suspend(() => {
      const name = ref.record.name;
      log.push(`${kind} ${name}`);
      if (failures.has(`${kind} ${name}`)) {
        return Effect.fail(new ServiceError({ reason: "Injected", service: name, message: `${name} failed to ${kind} (injected)`, lastLines: [] }));
      }
      act(name, { generation: ref.generation, system: ref.system, revision: ServiceRevision.ofRef(ref) });
      return Effect.succeed("executed" as const);
    });
  const observed = ([name, s]: [string, RunningService]): SystemStatus.Observed => ({
    name,
    up: true,
    wantedUp: true,
    pid: null,
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
    stop: op("stop", (name) => running.delete(name)),
    // As with s6, starting a service that runs another revision puts the requested one in place.
    start: op("start", (name, now) => running.set(name, now)),
    restart: op("restart", (name, now) => running.set(name, now)),
    reload: op("reload", (name, now) => running.set(name, now)),
  };
  return { service, layer: Layer.succeed(ServiceManager, service), running, log, failOn: (kind, name) => failures.add(`${kind} ${name}`) };
};

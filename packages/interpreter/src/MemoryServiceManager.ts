/**
 * An in-memory service manager for tests: a map from service name to the generation whose code it
 * runs, with injectable failures (a service that will not start, a reload that fails).
 */
import { Effect, Layer } from "effect";
import { ServiceError, ServiceManager, type ServiceManagerService } from "./ports/ServiceManager.js";

export interface RunningService {
  readonly generation: number | null;
  readonly system: string;
}

export interface MemoryServiceManager {
  readonly service: ServiceManagerService;
  readonly layer: Layer.Layer<ServiceManager>;
  readonly running: Map<string, RunningService>;
  /** Every operation, in order: "stop db", "start web"… */
  readonly log: Array<string>;
  /** Make an operation on a service fail, e.g. failOn("start", "web"). */
  readonly failOn: (op: "stop" | "start" | "restart" | "reload", name: string) => void;
}

export const make = (initiallyUp: Iterable<[string, RunningService]> = []): MemoryServiceManager => {
  const running = new Map<string, RunningService>(initiallyUp);
  const log: Array<string> = [];
  const failures = new Set<string>();
  const op = (kind: "stop" | "start" | "restart" | "reload", act: (name: string, ref: RunningService) => void) =>
    (ref: { readonly record: { readonly name: string }; readonly generation: number | null; readonly system: string }) =>
      Effect.suspend(() => {
        const name = ref.record.name;
        log.push(`${kind} ${name}`);
        if (failures.has(`${kind} ${name}`)) {
          return Effect.fail(new ServiceError({ reason: "Injected", service: name, message: `${name} failed to ${kind} (injected)`, lastLines: [] }));
        }
        act(name, { generation: ref.generation, system: ref.system });
        return Effect.succeed("executed" as const);
      });
  const service: ServiceManagerService = {
    kind: "memory",
    live: Effect.sync(() => [...running.keys()].sort()),
    stop: op("stop", (name) => running.delete(name)),
    start: op("start", (name, ref) => {
      if (!running.has(name)) running.set(name, ref);
    }),
    restart: op("restart", (name, ref) => running.set(name, ref)),
    reload: op("reload", (name, ref) => running.set(name, ref)),
  };
  return { service, layer: Layer.succeed(ServiceManager, service), running, log, failOn: (kind, name) => failures.add(`${kind} ${name}`) };
};

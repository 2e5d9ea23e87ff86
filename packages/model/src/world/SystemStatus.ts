/**
 * `switchyard status`: which generation is current, running and booted, and for each service what
 * the service manager reports (up or down, pid, for how long) next to what it runs (its revision,
 * and the generation it came from) and whether that is what the current generation asks for.
 * Pure: the interpreter observes the world and the supervised services; this puts them side by side.
 */
import type * as RestartDebt from "../services/RestartDebt.js";
import * as ServiceRevision from "../services/ServiceRevision.js";
import * as Trial from "../boot/Trial.js";
import * as World from "./World.js";

/** What the service manager reports for one supervised service. */
export interface Observed {
  readonly name: string;
  readonly up: boolean;
  /** What the supervisor is trying to do: keep it up, or keep it down. */
  readonly wantedUp: boolean;
  readonly pid: number | null;
  /** Seconds since it last went up (or down). */
  readonly forSeconds: number;
  /** How the last run ended, when it is down: exit code, or the signal that killed it. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** From the service's own record of what it runs; null when unknown. */
  readonly revision: string | null;
  readonly generation: number | null;
  readonly system: string | null;
}

export interface ServiceLine {
  readonly name: string;
  /** Null when the service manager has no such service (never started, or stopped and removed). */
  readonly observed: Observed | null;
  /** The revision the current generation's record asks for; null when it has no such service. */
  readonly wanted: string | null;
  /** Runs exactly the current generation's record (false when it runs another, or nothing). */
  readonly matches: boolean;
}

export interface Link {
  readonly target: string | null;
  readonly generation: number | null;
}

export interface Status {
  readonly serviceManager: World.ServiceManagerKind | "memory";
  /** The profile link: the boot default. */
  readonly current: Link;
  /** `/run/current-system`. */
  readonly running: Link;
  /** `/run/booted-system`. */
  readonly booted: Link;
  /** Sorted by name; null when there is no service manager to ask, or it could not be asked. */
  readonly services: ReadonlyArray<ServiceLine> | null;
  /** Why the service manager could not be asked (its supervisor is not running…); null when it answered. */
  readonly servicesError: string | null;
  /** Restart debt: services left on old code that still owe a restart (see `RestartDebt`). */
  readonly debt: ReadonlyArray<RestartDebt.Entry>;
  /** Where a trial boot stands (null with no bootloader). */
  readonly trial: Trial.Status | null;
}

export const of = (world: World.World, kind: Status["serviceManager"], observed: ReadonlyArray<Observed> | null, servicesError: string | null = null): Status => {
  const current = world.current === null ? undefined : World.generation(world, world.current);
  const wanted = new Map<string, string>();
  if (current !== undefined && current.manifest._tag === "Valid") {
    for (const record of current.manifest.manifest.services) wanted.set(record.name, ServiceRevision.of(current.system, record));
  }
  return {
    serviceManager: kind,
    current: { target: world.profileTarget, generation: world.current },
    running: { target: world.running.target, generation: world.running.generation },
    booted: { target: world.booted.target, generation: world.booted.generation },
    services: observed === null ? null : lines(observed, wanted),
    servicesError,
    debt: world.restartDebt.entries,
    trial: Trial.of(world),
  };
};

const lines = (observed: ReadonlyArray<Observed>, wanted: ReadonlyMap<string, string>): ReadonlyArray<ServiceLine> => {
  const byName = new Map(observed.map((o) => [o.name, o] as const));
  const names = [...new Set([...byName.keys(), ...wanted.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => {
    const o = byName.get(name) ?? null;
    const w = wanted.get(name) ?? null;
    return { name, observed: o, wanted: w, matches: o !== null && o.up && w !== null && o.revision === w };
  });
};


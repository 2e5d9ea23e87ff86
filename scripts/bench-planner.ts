/**
 * In-process benchmark of the pure planner (`Transition.between`), bundled by scripts/bench.mjs with
 * esbuild into a temp .mjs and imported from there. No I/O: a World of 10,000 generations with
 * 1,000 services each is built in memory, then rollback, a switch ten generations back and a delete
 * are planned, and each plan is encoded (`Plan.encode`) and serialised (`JSON.stringify`) as
 * `plan --json` / `plan --out` would.
 *
 * The services evolve like a real system's: generation g runs release (g - 1) mod RELEASES of a
 * chain in which each release changes ~2% of the services restart-class (a new store path in
 * `start`, an env change), ~1% reload-class (reload triggers), ~1% cosmetically (description),
 * removes a few leaf services and adds a few new ones. Services require up to three others,
 * including a handful of core services, so a stop propagates to dependents as NixOS's does.
 * Generations share service records and manifests in memory (RELEASES distinct manifests); the
 * diff the planner computes is still a real one between two different 1,000-service graphs.
 */
import * as E from "fp-ts/lib/Either.js";
import {
  BootConfig,
  type GenerationNumber,
  type InRootPath,
  type Manifest,
  Plan,
  ServiceGraph,
  type ServiceRecord,
  Settings,
  Transition,
  World,
} from "@switchyard/model";
// @ts-expect-error: plain JS, shared with the demo and the tests.
import { storeName } from "./fixture.mjs";

export interface PlannerOptions {
  readonly generations: number;
  readonly services: number;
  readonly runs: number;
  /** Full garbage collection, so retained heap can be measured (v8 --expose-gc). */
  readonly gc: () => void;
}

export interface PlannerCase {
  readonly operation: string;
  readonly runs: number;
  /** Median wall time of `Transition.between`, ms. */
  readonly planMs: number;
  /** Median wall time of `Plan.encode` + `JSON.stringify`, ms. */
  readonly encodeMs: number;
  /** Heap retained by the plan and its JSON text, after a full GC, MB. */
  readonly retainedMb: number;
  /** Size of the JSON text, MB. */
  readonly jsonMb: number;
  readonly steps: number;
  /** Services stopped / started / restarted / reloaded / unchanged, from the plan's summary. */
  readonly services: string;
}

export interface PlannerResult {
  readonly generations: number;
  readonly servicesPerGeneration: number;
  /** Services of the running (newest) generation; releases add and remove a few. */
  readonly runningServices: number;
  readonly distinctManifests: number;
  readonly buildMs: number;
  /** Heap used by the World (after a full GC), MB. */
  readonly worldMb: number;
  readonly cases: ReadonlyArray<PlannerCase>;
}

const RELEASES = 50;
const HOUR = 3_600_000;
const PROFILE = "/var/lib/switchyard/profiles/system" as InRootPath.InRootPath;

/** Deterministic PRNG (mulberry32): the same world on every run and every machine. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};


type Svc = ServiceRecord.ServiceRecord;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const CORE = 8;

const newService = (index: number, release: number, names: ReadonlyArray<string>, random: () => number): Svc => {
  const name = `svc-${String(index).padStart(5, "0")}`;
  const requires = new Set<string>();
  // Most services need a core service (logging, network…); many need one or two neighbours.
  if (index >= CORE && names.length >= CORE) requires.add(names[Math.floor(random() * CORE)] as string);
  const local = Math.floor(random() * 3);
  for (let k = 0; k < local && names.length > CORE; k++) {
    const lo = Math.max(CORE, names.length - 60);
    requires.add(names[lo + Math.floor(random() * (names.length - lo))] as string);
  }
  const reloadable = random() < 0.3;
  return {
    name: name as ServiceRecord.ServiceName,
    provides: [name],
    requires: [...requires],
    start: [`${storeName(index * 7919 + release, `${name}-1.0`)}/bin/${name}`, "--foreground"],
    stop: null,
    reload: reloadable ? ["/bin/kill", "-HUP", "$MAINPID"] : null,
    env: { LANG: "C.UTF-8", STATE_DIRECTORY: `/var/lib/${name}` },
    description: `service ${index}`,
    reloadTriggers: reloadable ? [storeName(index * 104729 + release, `${name}-config`)] : [],
    restartIfChanged: random() > 0.02,
    stopIfChanged: random() > 0.2,
    reloadIfChanged: reloadable && random() < 0.5,
    stopOnRemoval: true,
    user: null,
    group: null,
    state: null,
  };
};

/** RELEASES service lists, each a small evolution of the one before. */
const releases = (count: number, random: () => number): ReadonlyArray<ReadonlyArray<Svc>> => {
  let nextIndex = 0;
  let current: Array<Svc> = [];
  for (let i = 0; i < count; i++) {
    current.push(newService(nextIndex++, 0, current.map((s) => s.name), random));
  }
  const out: Array<ReadonlyArray<Svc>> = [current];
  for (let r = 1; r < RELEASES; r++) {
    const required = new Set(current.flatMap((s) => s.requires));
    const next: Array<Svc> = [];
    let removed = 0;
    for (const [i, s] of current.entries()) {
      const roll = random();
      // Removal of a few leaves (nothing requires them), never of a core service.
      if (i >= CORE && !required.has(s.name) && roll < 0.004) {
        removed++;
        continue;
      }
      if (i >= CORE && roll < 0.024) {
        const changed: Mutable<Svc> = { ...s };
        if (random() < 0.7) changed.start = [`${storeName(i * 7919 + r, `${s.name}-1.${r}`)}/bin/${s.name}`, "--foreground"];
        else changed.env = { ...s.env, RELEASE: String(r) };
        next.push(changed);
      } else if (s.reload !== null && roll < 0.04) {
        next.push({ ...s, reloadTriggers: [storeName(i * 104729 + r, `${s.name}-config`)] });
      } else if (roll < 0.05) {
        next.push({ ...s, description: `service ${i}, release ${r}` });
      } else next.push(s);
    }
    // As many added as removed (at least one), so every release has about `count` services.
    const added = Math.max(1, removed);
    for (let k = 0; k < added; k++) next.push(newService(nextIndex++, r, next.map((s) => s.name), random));
    current = next;
    out.push(next);
  }
  return out;
};

const manifestOf = (services: ReadonlyArray<Svc>, release: number): Manifest.Manifest => {
  const graph = ServiceGraph.build(services);
  if (E.isLeft(graph)) throw new Error(`bench fixture bug: release ${release} has an invalid service graph (${graph.left._tag})`);
  const system = storeName(release, `example-os-release-${release}`);
  return {
    label: `Example OS 24.11 release ${release}`,
    boot: { kernel: `${system}/kernel`, initrd: `${system}/initrd`, params: ["quiet", "loglevel=4"] },
    activate: `${system}/activate`,
    services,
  };
};

export const buildWorld = (generations: number, services: number): { readonly world: World.World; readonly distinct: number } => {
  const random = prng(20261121);
  const manifests = releases(services, random).map((s, r) => manifestOf(s, r));
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  const gens: Array<World.Generation> = [];
  for (let n = 1; n <= generations; n++) {
    const manifest = manifests[(n - 1) % RELEASES] as Manifest.Manifest;
    gens.push({
      number: n as GenerationNumber.GenerationNumber,
      link: World.linkPathOf({ profile: PROFILE }, n),
      system: storeName(n, `example-os-${n}`) as InRootPath.InRootPath,
      createdMs: now - (generations - n + 1) * HOUR,
      utcOffsetMinutes: 60,
      header: World.headerOf({ _tag: "Valid", manifest }),
      manifest: { _tag: "Valid", manifest },
    });
  }
  const top = gens[gens.length - 1] as World.Generation;
  const running: World.SystemLink = { target: top.system, system: top.system, generation: top.number, manifest: top.manifest };
  const base: World.World = {
    settings: { ...Settings.defaults, profile: PROFILE },
    generations: gens,
    profileTarget: `system-${top.number}-link`,
    current: top.number,
    running,
    booted: running,
    bootConfig: { path: World.Paths.grubConfig, content: null, digest: null },
    liveServices: null,
    serviceRevisions: null,
    bootId: "00000000-0000-4000-8000-000000000000",
    restartDebt: { text: null, entries: [] },
  };
  // The boot config as the last switch left it, so a rollback really rewrites it.
  const rendered = BootConfig.render(base, top.number);
  if (E.isLeft(rendered)) throw new Error(rendered.left.message);
  const world: World.World = { ...base, bootConfig: { path: World.Paths.grubConfig, content: rendered.right.content, digest: "0".repeat(64) } };
  return { world, distinct: manifests.length };
};

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const MB = 1024 * 1024;

const runCase = (world: World.World, label: string, request: Transition.Request, options: PlannerOptions): PlannerCase => {
  const planTimes: Array<number> = [];
  const encodeTimes: Array<number> = [];
  let retained = 0;
  let jsonBytes = 0;
  let last: Plan.Plan | null = null;
  // One untimed run first, so every timed run finds the code optimised (as a long-lived caller would).
  const warm = Transition.between(world, request);
  if (E.isRight(warm)) JSON.stringify(Plan.encode(warm.right));
  for (let i = 0; i < options.runs; i++) {
    options.gc();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const result = Transition.between(world, request);
    const t1 = performance.now();
    if (E.isLeft(result)) throw new Error(`${label}: ${result.left.message}`);
    const text = JSON.stringify(Plan.encode(result.right));
    const t2 = performance.now();
    planTimes.push(t1 - t0);
    encodeTimes.push(t2 - t1);
    options.gc();
    retained = Math.max(retained, process.memoryUsage().heapUsed - before);
    jsonBytes = text.length;
    last = result.right;
  }
  const plan = last as Plan.Plan;
  const s = plan.services;
  return {
    operation: label,
    runs: options.runs,
    planMs: median(planTimes),
    encodeMs: median(encodeTimes),
    retainedMb: retained / MB,
    jsonMb: jsonBytes / MB,
    steps: plan.steps.length + plan.revert.length,
    services: `${s.stop.length}/${s.start.length}/${s.restart.length}/${s.reload.length}/${s.unchanged.length}`,
  };
};

export const runPlannerBench = (options: PlannerOptions): PlannerResult => {
  options.gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const { world, distinct } = buildWorld(options.generations, options.services);
  const buildMs = performance.now() - t0;
  options.gc();
  const worldMb = (process.memoryUsage().heapUsed - heapBefore) / MB;
  const nowMs = Date.UTC(2026, 10, 21, 12, 0, 0);
  const tenth = Math.max(1, Math.floor(options.generations / 10));
  const cases = [
    runCase(world, "rollback", { operation: { _tag: "Rollback" }, mode: "switch", nowMs }, options),
    runCase(world, "switch -10", { operation: { _tag: "Switch", spec: "-10" }, mode: "switch", nowMs }, options),
    runCase(world, `delete 1..${tenth}`, { operation: { _tag: "Delete", pattern: `1..${tenth}` }, mode: "switch", nowMs }, options),
  ];
  const runningServices = world.running.manifest?._tag === "Valid" ? world.running.manifest.manifest.services.length : 0;
  return { generations: options.generations, servicesPerGeneration: options.services, runningServices, distinctManifests: distinct, buildMs, worldMb, cases };
};

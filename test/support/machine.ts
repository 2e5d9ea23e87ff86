/**
 * A whole machine for interpreter tests: a root holding generations (system directories with
 * manifest.json and the profile's links), on the in-memory file system or in a real temp dir, with
 * the in-memory process runner and service manager. `plan` and `apply` go through exactly what the
 * CLI uses: observe → Transition → applyPlan.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Effect, Either, Exit, Layer } from "effect";
import * as Apply from "../../packages/interpreter/src/apply/Apply.js";
import { makeMemoryFileSystem, type MemoryFileSystem, type Tree, type TreeEntry } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as MemoryProcessRunner from "../../packages/interpreter/src/memory/MemoryProcessRunner.js";
import * as MemoryServiceManager from "../../packages/interpreter/src/memory/MemoryServiceManager.js";
import { fixedClock } from "../../packages/interpreter/src/node/NodeClock.js";
import { NodeFileSystemLive } from "../../packages/interpreter/src/node/NodeFileSystem.js";
import * as Observe from "../../packages/interpreter/src/observe/Observe.js";
import type * as Steps from "../../packages/interpreter/src/apply/Steps.js";
import type { Clock } from "../../packages/interpreter/src/ports/Clock.js";
import type { FileSystem } from "../../packages/interpreter/src/ports/FileSystem.js";
import type { ProcessRunner, RunRequest } from "../../packages/interpreter/src/ports/ProcessRunner.js";
import { ServiceError, ServiceManager, type ServiceManagerService } from "../../packages/interpreter/src/ports/ServiceManager.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import type * as Request from "../../packages/model/src/plan/Request.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import * as Settings from "../../packages/model/src/world/Settings.js";
import * as World from "../../packages/model/src/world/World.js";
import * as MemoryTar from "./memory-tar.js";

export const NOW_MS = Date.UTC(2026, 10, 21, 12, 0);
const DAY = 86_400_000;
export const MEMORY_ROOT = "/machine";

export interface GenerationSpec {
  readonly number: number;
  readonly services?: ReadonlyArray<ServiceRecord.ServiceRecordInput>;
  readonly activate?: boolean;
  readonly createdMs?: number;
  /** The manifest's `hooks` (preSwitch, postSwitch, checkHealth argv). */
  readonly hooks?: Readonly<Record<string, ReadonlyArray<string>>>;
}

export interface MachineSpec {
  readonly generations: ReadonlyArray<GenerationSpec>;
  readonly current: number | null;
  readonly running?: number | null;
  readonly booted?: number | null;
  readonly timeout?: number;
  /** Services the in-memory manager reports up before anything runs (default none). */
  readonly runningServices?: ReadonlyArray<readonly [string, MemoryServiceManager.RunningService]>;
  /** In memory: `tar` and `sha256sum` act on the in-memory disk (test/support/memory-tar.ts), so snapshots are made and restored. */
  readonly tar?: boolean;
}

export const systemOf = (n: number): string => `/store/${String(n).padStart(4, "0")}abcdefghijklmnopqrstuvwxyz012345-example-${n}`;
export const linkOf = (n: number): string => `${World.Paths.defaultProfile}-${n}-link`;

/** The machine as a tree of in-root paths. */
export const treeOf = (spec: MachineSpec): Tree => {
  const tree: Record<string, TreeEntry> = {};
  for (const g of spec.generations) tree[`${systemOf(g.number)}/`] = { kind: "directory" };
  for (const g of spec.generations) {
    const system = systemOf(g.number);
    const manifest = {
      schema: 1,
      label: `Example OS (#${g.number})`,
      boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] },
      ...(g.activate === false ? {} : { activate: "activate" }),
      services: g.services ?? [],
      ...(g.hooks === undefined ? {} : { hooks: g.hooks }),
    };
    tree[`${system}/manifest.json`] = { kind: "file", content: JSON.stringify(manifest) };
    tree[`${system}/kernel`] = { kind: "file", content: `kernel ${g.number}` };
    if (g.activate !== false) tree[`${system}/activate`] = { kind: "file", content: "#!/bin/sh\nexit 0\n" };
    tree[linkOf(g.number)] = { kind: "symlink", target: system, mtimeMs: g.createdMs ?? NOW_MS - (100 - g.number) * DAY };
  }
  if (spec.current !== null) tree[World.Paths.defaultProfile] = { kind: "symlink", target: `system-${spec.current}-link` };
  const running = spec.running === undefined ? spec.current : spec.running;
  if (running !== null) tree[World.Paths.currentSystem] = { kind: "symlink", target: systemOf(running) };
  const booted = spec.booted === undefined ? spec.current : spec.booted;
  if (booted !== null) tree[World.Paths.bootedSystem] = { kind: "symlink", target: systemOf(booted) };
  tree["/boot/grub/"] = { kind: "directory" };
  if (spec.timeout !== undefined) tree[World.Paths.configFile] = { kind: "file", content: JSON.stringify({ timeout: spec.timeout }) };
  return tree;
};

export interface Machine {
  readonly root: Root.Root;
  readonly settings: World.Settings;
  readonly layer: Layer.Layer<FileSystem | Clock | ProcessRunner | ServiceManager>;
  readonly services: MemoryServiceManager.MemoryServiceManager;
  /** Activation scripts run, as "ACTION SYSTEM". */
  readonly activations: Array<string>;
  /** Systems whose activation script fails. */
  readonly failingActivations: Set<string>;
  /** Make the next service operation fail (once), before it has any effect. */
  readonly failNextServiceOperation: () => void;
  /** The whole root as in-root paths; symlink mtimes only for generation links. */
  readonly snapshot: () => Tree;
}

const settingsOf = (spec: MachineSpec): World.Settings => ({ ...Settings.defaults, timeout: spec.timeout ?? 5 });

/** The scripted runner: activation scripts are recorded, and those of `failing` systems exit 3. */
const runnerFor = (activations: Array<string>, failing: Set<string>, archives?: MemoryProcessRunner.Script) =>
  MemoryProcessRunner.make({
    script: (request: RunRequest): MemoryProcessRunner.Behaviour => {
      if (archives !== undefined && (request.argv[0] === "tar" || request.argv[0] === "sha256sum")) return archives(request);
      const system = request.env.SWITCHYARD_SYSTEM ?? "?";
      activations.push(`${request.env.SWITCHYARD_ACTION} ${system}`);
      return failing.has(system) ? { _tag: "Exit", code: 3, lines: ["activation exploded"] } : { _tag: "Exit", code: 0 };
    },
  }).layer;

/** The in-memory manager, with a switch that makes its next operation fail once (a service that will not come up, a stop command that fails). */
const failingOnce = (inner: ServiceManagerService) => {
  let armed = false;
  const guard =
    (kind: string, op: ServiceManagerService["start"]): ServiceManagerService["start"] =>
    (ref) =>
      Effect.suspend(() => {
        if (!armed) return op(ref);
        armed = false;
        return Effect.fail(new ServiceError({ reason: "Injected", service: ref.record.name, message: `${ref.record.name} failed to ${kind} (injected)`, lastLines: [] }));
      });
  const service: ServiceManagerService = {
    ...inner,
    stop: guard("stop", inner.stop),
    start: guard("start", inner.start),
    restart: guard("restart", inner.restart),
    reload: guard("reload", inner.reload),
  };
  return {
    layer: Layer.succeed(ServiceManager, service),
    arm: () => {
      armed = true;
    },
  };
};

const keepMtime = (p: string): boolean => /-[0-9]+-link$/.test(p);

export const memoryMachine = (spec: MachineSpec): Machine & { readonly fs: MemoryFileSystem } => {
  const memory = makeMemoryFileSystem({ now: () => NOW_MS });
  const tree = treeOf(spec);
  const seeded: Record<string, TreeEntry> = {};
  for (const [p, e] of Object.entries(tree)) seeded[`${MEMORY_ROOT}${p.replace(/\/$/, "")}`] = e;
  memory.seed(seeded);
  const root = Root.make(MEMORY_ROOT);
  const activations: Array<string> = [];
  const failing = new Set<string>();
  const services = MemoryServiceManager.make(spec.runningServices ?? []);
  const oneShot = failingOnce(services.service);
  return {
    fs: memory,
    root,
    settings: settingsOf(spec),
    services,
    activations,
    failingActivations: failing,
    failNextServiceOperation: oneShot.arm,
    layer: Layer.mergeAll(memory.layer, fixedClock(NOW_MS), runnerFor(activations, failing, spec.tar === true ? MemoryTar.script(memory) : undefined), oneShot.layer),
    snapshot: () => {
      const all = memory.snapshot({ under: MEMORY_ROOT, mtimes: true });
      const out: Record<string, TreeEntry> = {};
      for (const [p, e] of Object.entries(all)) out[`/${p}`] = strip(`/${p}`, e);
      return out;
    },
  };
};

const strip = (p: string, e: TreeEntry): TreeEntry => {
  if (e.kind === "symlink") return keepMtime(p) ? { kind: "symlink", target: e.target, mtimeMs: e.mtimeMs } : { kind: "symlink", target: e.target };
  if (e.kind === "file") return { kind: "file", content: e.content };
  return { kind: "directory" };
};

export const realMachine = (spec: MachineSpec): Machine & { readonly dir: string } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-machine-"));
  for (const [p, e] of Object.entries(treeOf(spec))) {
    const host = path.join(dir, p);
    fs.mkdirSync(e.kind === "directory" ? host : path.dirname(host), { recursive: true });
    if (e.kind === "file") fs.writeFileSync(host, e.content, { mode: p.endsWith("/activate") ? 0o755 : 0o644 });
    if (e.kind === "symlink") {
      fs.symlinkSync(e.target, host);
      if (e.mtimeMs !== undefined) fs.lutimesSync(host, e.mtimeMs / 1000, e.mtimeMs / 1000);
    }
  }
  const root = Root.make(dir);
  const activations: Array<string> = [];
  const failing = new Set<string>();
  const services = MemoryServiceManager.make(spec.runningServices ?? []);
  const oneShot = failingOnce(services.service);
  return {
    dir,
    root,
    settings: settingsOf(spec),
    services,
    activations,
    failingActivations: failing,
    failNextServiceOperation: oneShot.arm,
    layer: Layer.mergeAll(NodeFileSystemLive, fixedClock(NOW_MS), runnerFor(activations, failing), oneShot.layer),
    snapshot: () => snapshotDir(dir),
  };
};

/** A real directory as the same kind of tree (in-root paths), without the generations index (a cache). */
export const snapshotDir = (dir: string): Tree => {
  const out: Record<string, TreeEntry> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = `${rel}/${name}`;
      if (r === "/var/lib/switchyard/generations-index.json" || r === "/var/lib/switchyard/generations-index.columns") continue;
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) out[r] = strip(r, { kind: "symlink", target: fs.readlinkSync(path.join(dir, r)), mtimeMs: Math.round(st.mtimeMs) });
      else if (st.isDirectory()) {
        out[r] = { kind: "directory" };
        walk(r);
      } else out[r] = { kind: "file", content: fs.readFileSync(path.join(dir, r), "utf8") };
    }
  };
  walk("");
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

export const observe = (m: Machine) => Effect.runPromise(Observe.world(m.root, m.settings).pipe(Effect.provide(m.layer)));

export const plan = async (m: Machine, operation: Request.Between, mode: Plan.Mode = "switch") => {
  const world = await observe(m);
  return Transition.between(world, { operation, mode, nowMs: NOW_MS });
};

export const planOrThrow = async (m: Machine, operation: Request.Between, mode: Plan.Mode = "switch"): Promise<Plan.Plan> => {
  const p = await plan(m, operation, mode);
  if (p._tag === "Left") throw new Error(p.left.message);
  return p.right;
};

export const apply = (m: Machine, p: Plan.Plan, onEvent?: (event: Steps.Event) => void) =>
  Effect.runPromiseExit(
    Apply.applyPlan(p, { root: m.root, settings: m.settings, command: "test", ...(onEvent === undefined ? {} : { onEvent }) }).pipe(
      Effect.provide(m.layer),
    ),
  );

/**
 * Apply `p` with its forward step `k` failing once, before it has any effect: a file step at its
 * first primitive, an activation script that exits non-zero, a service operation that fails, a
 * link check that finds its link moved (it is put back before the revert starts). The revert that
 * follows runs without faults.
 */
export const applyFailingAt = (m: Machine & { readonly fs?: MemoryFileSystem }, p: Plan.Plan, k: number) => {
  const step = p.steps[k];
  if (step === undefined || step._tag === "Commit") throw new Error(`step ${k} of the plan cannot fail`);
  // The activation fault is undone at the next event, so the revert's own activation runs.
  let disarm: (() => void) | null = null;
  return apply(m, p, (event) => {
    disarm?.();
    disarm = null;
    if (event._tag !== "StepStarted" || event.index !== k) return;
    switch (step._tag) {
      case "RunActivation":
        m.failingActivations.add(step.system);
        disarm = () => m.failingActivations.delete(step.system);
        return;
      case "StopService":
      case "StartService":
      case "RestartService":
      case "ReloadService":
        m.failNextServiceOperation();
        return;
      case "CheckLink":
        if (m.fs === undefined) throw new Error("link checks fail only on the in-memory file system");
        disarm = moveLink(m.fs, Root.host(m.root, step.path));
        return;
      default:
        if (m.fs === undefined) throw new Error("file steps fail only on the in-memory file system");
        m.fs.failAt(1);
    }
  });
};

/** Remove the link at `path` (or put one there, if there is none); returns what puts it back as it was. */
const moveLink = (memory: MemoryFileSystem, path: string): (() => void) => {
  const fs = memory.service;
  const was = Effect.runSync(Effect.either(Effect.all([fs.readLink(path), fs.lstat(path)])));
  if (Either.isLeft(was)) {
    Effect.runSync(fs.symlink("/elsewhere", path));
    return () => Effect.runSync(fs.remove(path));
  }
  const [target, stat] = was.right;
  Effect.runSync(fs.remove(path));
  return () => Effect.runSync(Effect.zipRight(fs.symlink(target, path), fs.setModifiedTime(path, stat.mtimeMs)));
};

/** Plan and apply; throws when either fails. */
export const run = async (m: Machine, operation: Request.Between, mode: Plan.Mode = "switch"): Promise<Plan.Plan> => {
  const p = await planOrThrow(m, operation, mode);
  const exit = await apply(m, p);
  if (Exit.isFailure(exit)) throw new Error(`apply failed: ${JSON.stringify(exit.cause)}`);
  return p;
};

export const switchTo = (m: Machine, n: number, mode: Plan.Mode = "switch") => run(m, { _tag: "Switch", spec: String(n) }, mode);

export const cleanup = (m: Machine & { readonly dir?: string }) => {
  if (m.dir !== undefined) fs.rmSync(m.dir, { recursive: true, force: true });
};

export const isLeft = Either.isLeft;

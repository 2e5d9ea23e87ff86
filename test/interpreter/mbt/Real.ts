/**
 * The real system of the crash MBT: a memory machine (test/support/machine.ts) driven exactly like
 * the CLI — observe → Transition → Apply.applyPlan, and Recover.recover — with faults and crashes
 * injected through the in-memory file system, and `check`, the invariants every command must leave
 * true, judged against the model and against independent readings of the machine (the links as
 * `list` reads them, the boot menu as GRUB reads it, the services as the service manager reports
 * them). What each command expects of its own outcome lives in the command's file.
 */
import { Cause, Effect, Either, Exit, Layer, Option } from "effect";
import { expect } from "vitest";
import * as Apply from "../../../packages/interpreter/src/apply/Apply.js";
import * as ApplyJournal from "../../../packages/interpreter/src/state/ApplyJournal.js";
import * as Durable from "../../../packages/interpreter/src/durable/Durable.js";
import * as Links from "../../../packages/interpreter/src/observe/Links.js";
import * as Lock from "../../../packages/interpreter/src/state/Lock.js";
import { makeMemoryFileSystem } from "../../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as Observe from "../../../packages/interpreter/src/observe/Observe.js";
import { Clock } from "../../../packages/interpreter/src/ports/Clock.js";
import type { FileSystem } from "../../../packages/interpreter/src/ports/FileSystem.js";
import { ProcessRunner } from "../../../packages/interpreter/src/ports/ProcessRunner.js";
import type { ServiceManager } from "../../../packages/interpreter/src/ports/ServiceManager.js";
import * as Recover from "../../../packages/interpreter/src/state/Recover.js";
import * as Root from "../../../packages/interpreter/src/root/Root.js";
import * as InRootPath from "../../../packages/model/src/paths/InRootPath.js";
import type * as Plan from "../../../packages/model/src/plan/Plan.js";
import type * as PlanError from "../../../packages/model/src/plan/PlanError.js";
import type * as Request from "../../../packages/model/src/plan/Request.js";
import * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";
import * as ServiceRevision from "../../../packages/model/src/services/ServiceRevision.js";
import * as Transition from "../../../packages/model/src/transition/Transition.js";
import * as World from "../../../packages/model/src/world/World.js";
import * as GrubMenu from "../../support/GrubMenu.js";
import { MEMORY_ROOT, NOW_MS, memoryMachine, systemOf } from "../../support/machine.js";
import * as M from "./Model.js";

export type Fault =
  | { readonly _tag: "None" }
  /** The k-th mutating primitive of the operation fails (once); the process goes on. */
  | { readonly _tag: "Fail"; readonly k: number }
  /** Every mutating primitive from the k-th on fails (the process is dead); the caller then loses power. */
  | { readonly _tag: "Crash"; readonly k: number };

export interface InitialSpec {
  /** Generation numbers, ascending, no holes needed. */
  readonly numbers: ReadonlyArray<number>;
  readonly current: number;
  /** Kernel parameters of every generation's boot entry besides `quiet` (default none): they make the boot menu bigger. */
  readonly extraParams?: ReadonlyArray<string>;
}

const STATE = World.Paths.stateDir.slice(1);
const JOURNAL = `${STATE}/journal`;
const LOCK = `${STATE}/lock`;
const TIMEOUT = 5;

const manifestOf = (label: string, n: number, extraParams: ReadonlyArray<string> = []) =>
  JSON.stringify({ schema: 1, label, boot: { kernel: "kernel", initrd: "initrd", params: ["quiet", ...extraParams] }, activate: "activate", services: M.servicesOf(n) });

export const squash = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(exit)) return exit.value;
  throw new Error(`unexpected failure: ${Cause.pretty(exit.cause)}`);
};

export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | null => {
  if (Exit.isSuccess(exit)) return null;
  const failure = Cause.failureOption(exit.cause);
  if (Option.isNone(failure)) throw new Error(`apply died: ${Cause.pretty(exit.cause)}`);
  return failure.value;
};

/** How the faults landed, over the whole run: printed by the test so a weak distribution shows. */
export const stats: Record<string, number> = {};
export const count = (key: string): void => {
  stats[key] = (stats[key] ?? 0) + 1;
};

export class Real {
  readonly machine = memoryMachine({ generations: [], current: null });
  private added = 0;
  /** The seed and label each system directory's manifest was built from. */
  private readonly built = new Map<string, { readonly seed: number; readonly label: string }>();
  /** The last few things done, for failure messages. */
  readonly trail: Array<string> = [];

  private constructor(readonly booted: string) {}

  /**
   * A machine with the given generations, settled on `current` (boot menu and layout marker
   * written, services up) unless `settle` is false (then as a builder leaves it: no boot menu yet,
   * no service running).
   */
  static async create(spec: InitialSpec, settle = true): Promise<Real> {
    const real = new Real(systemOf(spec.current));
    const m = real.machine;
    const seed: Record<string, { kind: "file"; content: string } | { kind: "symlink"; target: string; mtimeMs: number }> = {};
    for (const n of spec.numbers) {
      const system = systemOf(n);
      const label = `Example OS (#${n})`;
      real.built.set(system, { seed: n, label });
      seed[`${MEMORY_ROOT}${system}/manifest.json`] = { kind: "file", content: manifestOf(label, n, spec.extraParams) };
      seed[`${MEMORY_ROOT}${system}/kernel`] = { kind: "file", content: `kernel ${n}` };
      seed[`${MEMORY_ROOT}${system}/activate`] = { kind: "file", content: "#!/bin/sh\nexit 0\n" };
      seed[`${MEMORY_ROOT}${World.linkPathOf(m.settings, n)}`] = { kind: "symlink", target: system, mtimeMs: NOW_MS - (100 - n) * 86_400_000 };
    }
    seed[`${MEMORY_ROOT}${World.Paths.defaultProfile}`] = { kind: "symlink", target: `system-${spec.current}-link`, mtimeMs: NOW_MS };
    seed[`${MEMORY_ROOT}${World.Paths.currentSystem}`] = { kind: "symlink", target: systemOf(spec.current), mtimeMs: NOW_MS };
    seed[`${MEMORY_ROOT}${World.Paths.bootedSystem}`] = { kind: "symlink", target: systemOf(spec.current), mtimeMs: NOW_MS };
    m.fs.seed(seed);
    if (!settle) return real;
    const settling = await real.plan({ operation: { _tag: "Switch", spec: String(spec.current) }, mode: "switch" });
    if (Either.isLeft(settling)) throw new Error(settling.left.message);
    squash(await real.apply(settling.right));
    return real;
  }

  /** The model of the machine `create` settles. */
  static initialModel(spec: InitialSpec): M.Model {
    return {
      generations: spec.numbers.map((number) => ({ number, system: systemOf(number) })),
      current: spec.current,
      running: spec.current,
      booted: spec.current,
      services: Object.fromEntries(M.servicesOf(spec.current).map((r) => [r.name, spec.current])),
      built: spec.numbers.map(systemOf),
    };
  }

  /** The seed of a system directory's manifest (what `Model.servicesOf` takes). */
  readonly seedOf = (system: string): number => {
    const b = this.built.get(system);
    if (b === undefined) throw new Error(`no system directory ${system} was built`);
    return b.seed;
  };

  /**
   * Every CLI run is a new process at a later time: the clock ticks 1 ms per reading, so each lock
   * acquisition gets its own token (the machine's fixed clock and pid would give every run the same
   * one; recover.test.ts shows what a repeated token does).
   */
  private ticks = 0;
  private readonly clock = Layer.succeed(Clock, { nowMs: Effect.sync(() => NOW_MS + this.ticks++), utcOffsetMinutes: () => 0 });

  run<A, E>(effect: Effect.Effect<A, E, FileSystem | Clock | ProcessRunner | ServiceManager>): Promise<Exit.Exit<A, E>> {
    return Effect.runPromiseExit(effect.pipe(Effect.provide(this.clock), Effect.provide(this.machine.layer)));
  }

  observe(): Promise<World.World> {
    return this.run(Observe.world(this.machine.root, this.machine.settings)).then(squash);
  }

  /** Build a new system directory durably, as a builder would (outside switchyard, no faults). */
  buildSystem(): string {
    this.added += 1;
    const n = 100 + this.added;
    const system = `/store/${String(n).padStart(4, "0")}zyxwvutsrqponmlkjihgfedcba98765-added-${this.added}`;
    const label = `Added OS (${n})`;
    this.built.set(system, { seed: n, label });
    const host = `${MEMORY_ROOT}${system}`;
    const fs = this.machine.fs.service;
    Effect.runSync(
      Effect.gen(function* () {
        yield* fs.makeDirectory(host);
        for (const [name, content] of [
          ["manifest.json", manifestOf(label, n)],
          ["kernel", `kernel ${n}`],
          ["activate", "#!/bin/sh\nexit 0\n"],
        ] as const) {
          yield* fs.writeNewFile(`${host}/${name}`, new TextEncoder().encode(content));
          yield* fs.fsync(`${host}/${name}`);
        }
        yield* fs.fsyncDirectory(host);
        yield* fs.fsyncDirectory(`${MEMORY_ROOT}/store`);
      }),
    );
    return system;
  }

  /** What the CLI's `plan`/`apply OPERATION` computes. */
  async plan(request: { readonly operation: Request.Between; readonly mode: Plan.Mode }): Promise<Either.Either<Plan.Plan, PlanError.PlanError>> {
    const world = await this.observe();
    const p = Transition.between(world, { operation: request.operation, mode: request.mode, nowMs: NOW_MS });
    return p._tag === "Right" ? Either.right(p.right) : Either.left(p.left);
  }

  /** What the CLI's `add SYSTEM_DIR` computes. */
  async planAdd(system: string): Promise<Either.Either<Plan.Plan, PlanError.PlanError>> {
    const m = this.machine;
    const world = await this.observe();
    const manifest = squash(await this.run(Observe.readManifest(m.root, InRootPath.unsafe(system))));
    const nowMs = squash(await this.run(Effect.flatMap(Clock, (c) => c.nowMs)));
    const p = Transition.adding(world, { system: InRootPath.unsafe(system), manifest, nowMs, utcOffsetMinutes: 0 });
    return p._tag === "Right" ? Either.right(p.right) : Either.left(p.left);
  }

  /** The plan the CLI computes for a model operation (resolved against the model's state). */
  planFor(s: M.State, op: M.Operation, added: string | null): Promise<Either.Either<Plan.Plan, PlanError.PlanError>> {
    switch (op._tag) {
      case "Add":
        if (added === null) throw new Error("add needs a built system");
        return this.planAdd(added);
      case "Switch":
        return this.plan({ operation: { _tag: "Switch", spec: String(M.resolvePick(s, op.pick)) }, mode: op.mode });
      case "Rollback":
        return this.plan({ operation: { _tag: "Rollback" }, mode: "switch" });
      case "Delete":
        return this.plan({ operation: { _tag: "Delete", pattern: M.patternText(s, op.pattern) }, mode: "switch" });
    }
  }

  apply(plan: Plan.Plan) {
    const m = this.machine;
    return this.run(Apply.applyPlan(plan, { root: m.root, settings: m.settings, command: "mbt" }));
  }

  recover() {
    const m = this.machine;
    return this.run(Recover.recover({ root: m.root, settings: m.settings, command: "recover" }));
  }

  journalPresent(): boolean {
    return this.machine.fs.snapshot({ under: MEMORY_ROOT })[JOURNAL] !== undefined;
  }

  /** Journal staging or cleanup directories an interrupted begin or finish left in the state directory. */
  journalLeftovers(): ReadonlyArray<string> {
    return Object.keys(this.machine.fs.snapshot({ under: MEMORY_ROOT })).filter(
      (p) => Root.dirnameOf(`/${p}`) === `/${STATE}` && ApplyJournal.isLeftover(Root.basenameOf(p)),
    );
  }

  /** Arm the fault for the operation that follows. */
  arm(fault: Fault): void {
    const fs = this.machine.fs;
    if (fault._tag === "Fail") fs.failAt(fault.k);
    if (fault._tag === "Crash") {
      let seen = 0;
      // Counts every mutation from now on: the k-th and all after it fail, as for a dead process.
      fs.failWhen(() => ++seen >= fault.k);
    }
  }

  /** What the links say, the way `list` sees it (the profile must point to an existing generation). */
  async links(): Promise<{
    readonly generations: ReadonlyArray<{ readonly number: number; readonly system: string }>;
    readonly profileTarget: string | null;
    readonly current: number | null;
    readonly running: string | null;
    readonly booted: string | null;
  }> {
    const { root, settings } = this.machine;
    return squash(
      await this.run(
        Effect.all({
          links: Observe.generations(root, settings),
          running: Links.read(root, World.Paths.currentSystem),
          booted: Links.read(root, World.Paths.bootedSystem),
        }).pipe(Effect.map(({ links, running, booted }) => ({ ...links, running, booted }))),
      ),
    );
  }

  /** Service name -> the generation whose code it runs, as the service manager reports it. */
  services(): Record<string, number | null> {
    return Object.fromEntries([...this.machine.services.running].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, r]) => [name, r.generation]));
  }

  /** Whether the real machine is in `state`: its links and its services. */
  async isIn(state: M.State): Promise<boolean> {
    const links = await this.links();
    return (
      JSON.stringify(links.generations.map((g) => ({ number: g.number, system: g.system }))) === JSON.stringify(state.generations) &&
      links.current === state.current &&
      links.running === M.systemOf(state, state.running) &&
      JSON.stringify(this.services()) === JSON.stringify(Object.fromEntries(Object.entries(state.services).sort(([a], [b]) => (a < b ? -1 : 1))))
    );
  }

  /** A fresh process could take the lock at once (a lock left by a dead holder is taken over). */
  private async lockIsFree(): Promise<boolean> {
    const copy = makeMemoryFileSystem({ seed: this.machine.fs.snapshot({ mtimes: true }) });
    const runner = Layer.succeed(ProcessRunner, { pid: 777, bootId: "memory-boot", kernelRelease: "6.1.0", isAlive: (pid: number) => Effect.succeed(pid === 777), run: () => Effect.die("no"), startDetached: () => Effect.die("no"), inspect: () => Effect.succeed(null) });
    const probe = Lock.acquire(this.machine.root, "probe", 0).pipe(Effect.provide(Layer.mergeAll(copy.layer, runner, Layer.succeed(Clock, { nowMs: Effect.succeed(NOW_MS), utcOffsetMinutes: () => 0 }))));
    return Exit.isSuccess(await Effect.runPromiseExit(probe));
  }

  /**
   * Whether an injected fault may have left the lock file (a failed fsync while taking it, a failed
   * removal while releasing it) since the lock was last taken and released cleanly. Such a lock
   * names a dead process: it must be free to take, but may be there.
   */
  staleLockAllowed = false;

  /** Every invariant, against the real machine and the model. */
  async check(model: M.Model): Promise<void> {
    const where = `after: ${this.trail.slice(-3).join(" ; ")}`;
    const snap = this.machine.fs.snapshot({ under: MEMORY_ROOT });
    const paths = Object.keys(snap);
    // No temp files anywhere, no journal and no journal leftovers.
    expect(paths.filter((p) => Durable.isTempName(Root.basenameOf(p))), `temp files ${where}`).toEqual([]);
    expect(this.journalLeftovers(), `journal leftovers ${where}`).toEqual([]);
    expect(snap[JOURNAL], `the journal is gone ${where}`).toBeUndefined();
    // The lock is free.
    if (!this.staleLockAllowed) {
      expect(snap[LOCK], `the lock is released ${where}`).toBeUndefined();
      expect(snap[`${LOCK}.takeover`], `no takeover left ${where}`).toBeUndefined();
    } else if (snap[LOCK] !== undefined || snap[`${LOCK}.takeover`] !== undefined) {
      expect(await this.lockIsFree(), `the lock can be taken ${where}`).toBe(true);
    }
    expect(snap[`${STATE}/layout.v1`]?.kind, `layout marker ${where}`).toBe("file");
    // The links read as `list` reads them: the profile points to an existing generation, all inside the root.
    const links = await this.links();
    expect(links.generations.map((g) => ({ number: g.number, system: g.system })), `generations ${where}`).toEqual(model.generations);
    expect(links.current, `current ${where}`).toBe(model.current);
    expect(links.profileTarget, `profile ${where}`).toBe(`system-${model.current}-link`);
    expect(links.running, `/run/current-system ${where}`).toBe(M.systemOf(model, model.running));
    expect(links.booted, `booted ${where}`).toBe(this.booted);
    this.checkMenu(model, snap["boot/grub/grub.cfg"], where);
    this.checkServices(model, where);
    // No system directory is ever removed.
    for (const system of [...model.built, this.booted]) expect(snap[system.slice(1)]?.kind, `${system} ${where}`).toBe("directory");
  }

  /**
   * The boot menu, read as GRUB reads it: it boots the profile's generation by default, and lists
   * every generation exactly once — the default first, then the others newest first — each with
   * its own label, kernel, initrd and system directory.
   */
  private checkMenu(model: M.Model, cfg: { readonly kind: string; readonly content?: string | Uint8Array } | undefined, where: string): void {
    expect(cfg?.kind, `grub.cfg ${where}`).toBe("file");
    const menu = GrubMenu.read(String(cfg?.content ?? ""));
    expect(menu.settings.timeout, `timeout ${where}`).toBe(String(TIMEOUT));
    expect(menu.defaultEntry?.id, `default entry ${where}`).toBe(`switchyard-${model.current}`);
    const others = model.generations.map((g) => g.number).filter((n) => n !== model.current).sort((a, b) => b - a);
    expect(menu.entries.map((e) => e.id), `menu entries ${where}`).toEqual([model.current, ...others].map((n) => `switchyard-${n}`));
    for (const entry of menu.entries) {
      const n = Number(entry.id?.replace("switchyard-", ""));
      const system = M.systemOf(model, n);
      const label = this.built.get(system)?.label;
      expect(entry.title.startsWith(`${label} (#${n}, `), `title of ${n} ${where}: ${entry.title}`).toBe(true);
      expect(entry.linux, `linux of ${n} ${where}`).toEqual([`${system}/kernel`, "quiet", `switchyard.system=${system}`]);
      expect(entry.initrd, `initrd of ${n} ${where}`).toBe(`${system}/initrd`);
    }
  }

  /** Exactly the model's services run, each on the revision of the record its generation has for it. */
  private checkServices(model: M.Model, where: string): void {
    expect(this.services(), `services ${where}`).toEqual(model.services);
    for (const [name, running] of this.machine.services.running) {
      const system = M.systemOf(model, running.generation as number);
      const input = M.servicesOf(this.seedOf(system)).find((r) => r.name === name) as ServiceRecord.ServiceRecordInput;
      expect({ name, revision: running.revision, system: running.system }, `revision of ${name} ${where}`).toEqual({
        name,
        revision: ServiceRevision.of(system, ServiceRecord.normalise(input)),
        system,
      });
    }
  }
}

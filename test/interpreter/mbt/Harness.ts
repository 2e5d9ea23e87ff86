/**
 * The real system of the crash MBT: a memory machine (test/support/machine.ts) driven exactly like
 * the CLI — observe → Transition → Apply.applyPlan, and Recover.recover — with faults and crashes
 * injected through the in-memory file system, and the invariants checked against the model after
 * every command.
 */
import { Cause, Effect, Either, Exit, Layer, Option } from "effect";
import { expect } from "vitest";
import * as Apply from "../../../packages/interpreter/src/apply/Apply.js";
import * as ApplyJournal from "../../../packages/interpreter/src/state/ApplyJournal.js";
import * as Durable from "../../../packages/interpreter/src/durable/Durable.js";
import type { ApplyOutcome } from "../../../packages/interpreter/src/Errors.js";
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
import * as BootConfig from "../../../packages/model/src/boot/BootConfig.js";
import * as InRootPath from "../../../packages/model/src/paths/InRootPath.js";
import type * as Plan from "../../../packages/model/src/plan/Plan.js";
import type * as PlanError from "../../../packages/model/src/plan/PlanError.js";
import * as Transition from "../../../packages/model/src/transition/Transition.js";
import * as World from "../../../packages/model/src/world/World.js";
import { MEMORY_ROOT, NOW_MS, memoryMachine, systemOf } from "../../support/machine.js";
import * as M from "./Model.js";

export type Fault =
  | { readonly _tag: "None" }
  /** The k-th mutating primitive of the operation fails (once); the process goes on. Optionally the target's activation script fails too. */
  | { readonly _tag: "Fail"; readonly k: number; readonly activationFails?: boolean }
  /** Every mutating primitive from the k-th on fails (the process is dead), then power loss keeps `keep` mod (pending+1) of what was not durable. */
  | {
      readonly _tag: "Crash";
      readonly k: number;
      readonly keep: number;
      /** Crash the first recover too, the same way, then recover again. */
      readonly again: { readonly k: number; readonly keep: number } | null;
    };

export interface InitialSpec {
  /** Generation numbers, ascending, no holes needed. */
  readonly numbers: ReadonlyArray<number>;
  readonly current: number;
}

const STATE = World.Paths.stateDir.slice(1);
const JOURNAL = `${STATE}/journal`;
const LOCK = `${STATE}/lock`;

/** A few services per generation so that switches stop, start and restart some. */
const servicesOf = (n: number) => [
  { name: "db", start: ["db", `--v${n % 2}`] },
  { name: "web", start: ["web", `--gen${n}`], requires: ["db"] },
  ...(n % 3 === 0 ? [{ name: "cache", start: ["cache"] }] : []),
];

const manifestOf = (label: string, n: number) =>
  JSON.stringify({ schema: 1, label, boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] }, activate: "activate", services: servicesOf(n) });

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

export class Real {
  readonly machine = memoryMachine({ generations: [], current: null });
  private added = 0;
  /** The last few things done, for failure messages. */
  readonly trail: Array<string> = [];

  private constructor(readonly booted: string) {}

  /**
   * A machine with the given generations, settled on `current` (boot menu and layout marker
   * written, services up) unless `settle` is false (then as a builder leaves it: no boot menu yet).
   */
  static async create(spec: InitialSpec, settle = true): Promise<Real> {
    const real = new Real(systemOf(spec.current));
    const m = real.machine;
    const seed: Record<string, { kind: "file"; content: string } | { kind: "symlink"; target: string; mtimeMs: number }> = {};
    for (const n of spec.numbers) {
      const system = systemOf(n);
      seed[`${MEMORY_ROOT}${system}/manifest.json`] = { kind: "file", content: manifestOf(`Example OS (#${n})`, n) };
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

  async observe(): Promise<World.World> {
    const world = squash(await this.run(Observe.world(this.machine.root, this.machine.settings)));
    this.observed = world;
    for (const g of world.generations) this.bySystem.set(g.system, g);
    return world;
  }

  /** Build a new system directory durably, as a builder would (outside switchyard, no faults). */
  buildSystem(): string {
    this.added += 1;
    const n = 100 + this.added;
    const system = `/store/${String(n).padStart(4, "0")}zyxwvutsrqponmlkjihgfedcba98765-added-${this.added}`;
    const host = `${MEMORY_ROOT}${system}`;
    const fs = this.machine.fs.service;
    Effect.runSync(
      Effect.gen(function* () {
        yield* fs.makeDirectory(host);
        for (const [name, content] of [
          ["manifest.json", manifestOf(`Added OS (${n})`, n)],
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
  async plan(request: { readonly operation: Plan.Operation; readonly mode: Plan.Mode }): Promise<Either.Either<Plan.Plan, PlanError.PlanError>> {
    const world = await this.observe();
    const p = Transition.between(world, { operation: request.operation, mode: request.mode, nowMs: NOW_MS });
    return p._tag === "Right" ? Either.right(p.right) : Either.left(p.left);
  }

  /** What the CLI's `add SYSTEM_DIR` computes. */
  async planAdd(system: string): Promise<Either.Either<Plan.Plan, PlanError.PlanError>> {
    const m = this.machine;
    const inRoot = InRootPath.unsafe(system);
    const world = await this.observe();
    const manifest = squash(await this.run(Observe.readManifest(m.root, inRoot)));
    const nowMs = squash(await this.run(Effect.flatMap(Clock, (c) => c.nowMs)));
    const p = Transition.adding(world, { system: inRoot, manifest, nowMs, utcOffsetMinutes: 0 });
    return p._tag === "Right" ? Either.right(p.right) : Either.left(p.left);
  }

  apply(plan: Plan.Plan) {
    const m = this.machine;
    return this.run(Apply.applyPlan(plan, { root: m.root, settings: m.settings, command: "mbt", activationTimeoutMs: 1000 }));
  }

  recover() {
    const m = this.machine;
    return this.run(Recover.recover({ root: m.root, settings: m.settings, command: "recover", activationTimeoutMs: 1000 }));
  }

  journalPresent(): boolean {
    return this.machine.fs.snapshot({ under: MEMORY_ROOT })[JOURNAL] !== undefined;
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
    readonly generations: ReadonlyArray<Links.LinkObservation>;
    readonly profileTarget: string | null;
    readonly current: number | null;
    readonly running: string | null;
    readonly booted: string | null;
  }> {
    const { root, settings } = this.machine;
    return squash(
      await this.run(
        Effect.all({
          links: Links.generations(root, settings),
          running: Links.read(root, World.Paths.currentSystem),
          booted: Links.read(root, World.Paths.bootedSystem),
        }).pipe(Effect.map(({ links, running, booted }) => ({ ...links, running, booted }))),
      ),
    );
  }

  /** Whether the real machine is in `state` (used when recover says "nothing": old or new). */
  async isIn(state: M.State): Promise<boolean> {
    const links = await this.links();
    return (
      JSON.stringify(links.generations.map((g) => ({ number: g.number, system: g.system }))) === JSON.stringify(state.generations) &&
      links.current === state.current &&
      links.running === M.systemOf(state, state.running)
    );
  }

  /** Generations as last observed, by system directory: what they say depends only on the (immutable) directory. */
  private readonly bySystem = new Map<string, World.Generation>();
  private observed: World.World | null = null;

  /** The world as far as the boot menu needs it: the generation links, with what their systems say. */
  private async menuWorld(links: Awaited<ReturnType<Real["links"]>>): Promise<World.World> {
    if (this.observed === null || links.generations.some((g) => !this.bySystem.has(g.system))) await this.observe();
    const generations = links.generations.map((g): World.Generation => ({ ...(this.bySystem.get(g.system) as World.Generation), number: g.number, link: g.link, createdMs: g.createdMs }));
    return { ...(this.observed as World.World), generations, profileTarget: links.profileTarget, current: links.current as World.World["current"] };
  }

  /** A fresh process could take the lock at once (a lock left by a dead holder is taken over). */
  private async lockIsFree(): Promise<boolean> {
    const copy = makeMemoryFileSystem({ seed: this.machine.fs.snapshot({ mtimes: true }) });
    const runner = Layer.succeed(ProcessRunner, { pid: 777, bootId: "memory-boot", isAlive: (pid: number) => Effect.succeed(pid === 777), run: () => Effect.die("no"), startDetached: () => Effect.die("no"), inspect: () => Effect.succeed(null) });
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
    const strictLock = !this.staleLockAllowed;
    const where = `after: ${this.trail.slice(-3).join(" ; ")}`;
    const snap = this.machine.fs.snapshot({ under: MEMORY_ROOT });
    const paths = Object.keys(snap);
    // No temp files anywhere, no journal and no journal leftovers.
    expect(paths.filter((p) => Durable.isTempName(Root.basenameOf(p))), `temp files ${where}`).toEqual([]);
    expect(paths.filter((p) => Root.dirnameOf(`/${p}`) === `/${STATE}` && ApplyJournal.isLeftover(Root.basenameOf(p))), `journal leftovers ${where}`).toEqual([]);
    expect(snap[JOURNAL], `the journal is gone ${where}`).toBeUndefined();
    // The lock is free.
    if (strictLock) {
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
    // The boot config exists, defaults to the profile's generation, and is exactly the menu of the generations there are.
    const cfg = snap["boot/grub/grub.cfg"];
    expect(cfg?.kind, `grub.cfg ${where}`).toBe("file");
    const text = cfg?.kind === "file" ? String(cfg.content) : "";
    const lines = text.split("\n");
    const firstEntry = lines.findIndex((l) => l.startsWith("menuentry "));
    expect(lines.indexOf("set default=0"), `set default=0 ${where}`).toBeGreaterThan(-1);
    expect(lines.indexOf("set default=0")).toBeLessThan(firstEntry);
    expect(lines[firstEntry], `default entry ${where}`).toContain(`--id switchyard-${model.current} `);
    const world = await this.menuWorld(links);
    const rendered = BootConfig.render(world, world.current as Parameters<typeof BootConfig.render>[1]);
    expect(rendered._tag === "Right" && rendered.right.content, `grub.cfg is the menu of the generations ${where}`).toBe(text);
    // No system directory is ever removed.
    for (const system of [...model.built, this.booted]) expect(snap[system.slice(1)]?.kind, `${system} ${where}`).toBe("directory");
  }
}

/** How the faults landed, over the whole run: printed by the test so a weak distribution shows. */
export const stats: Record<string, number> = {};
const count = (key: string): void => {
  stats[key] = (stats[key] ?? 0) + 1;
};

/** The CLI operation for a model operation, resolved against the model's state. */
const requestOf = (s: M.State, op: M.Operation): { readonly operation: Plan.Operation; readonly mode: Plan.Mode } => {
  switch (op._tag) {
    case "Switch":
      return { operation: { _tag: "Switch", spec: String(M.resolvePick(s, op.pick)) }, mode: op.mode };
    case "Rollback":
      return { operation: { _tag: "Rollback" }, mode: "switch" };
    case "Delete":
      return { operation: { _tag: "Delete", pattern: M.patternText(s, op.pattern) }, mode: "switch" };
    case "Add":
      throw new Error("add is planned with planAdd");
  }
};

type Failure = {
  readonly _tag: string;
  readonly outcome?: ApplyOutcome;
  readonly message?: string;
};

/**
 * Run one operation with `fault` injected, like the CLI would, then whatever a user would do next
 * (recover when a journal was left or after a crash), update the model from what happened, and
 * check every invariant.
 */
export const perform = async (model: M.Model, real: Real, op: M.Operation, fault: Fault): Promise<void> => {
  const before = M.stateOf(model);
  const added = op._tag === "Add" ? real.buildSystem() : null;
  if (added !== null) model.built.push(added);
  const expected = M.expect(before, model.booted, op, added);
  const label = `${M.describe(op)}${
    fault._tag === "None"
      ? ""
      : fault._tag === "Fail"
        ? ` [fail ${fault.k}${fault.activationFails === true ? ", activation fails" : ""}]`
        : ` [crash ${fault.k} keep ${fault.keep}${fault.again === null ? "" : `; recover crashes at ${fault.again.k} keeping ${fault.again.keep}`}]`
  }`;
  real.trail.push(label);
  const planned = added !== null ? await real.planAdd(added) : await real.plan(requestOf(before, op));
  if (expected._tag === "Refused") {
    count("refused");
    expect(Either.isLeft(planned), `${label}: the model refuses it, so must the planner`).toBe(true);
    await real.check(model);
    return;
  }
  if (Either.isLeft(planned)) throw new Error(`${label}: the model expects a plan, the planner refused: ${planned.left.message}`);
  const plan = planned.right;
  const next = expected.state;
  // The plan agrees with the model on what it does.
  if (op._tag === "Delete") expect(plan.delete, label).toEqual(before.generations.map((g) => g.number).filter((n) => !next.generations.some((g) => g.number === n)));
  else if (op._tag === "Add") expect(plan.to, label).toBe(next.generations[next.generations.length - 1]?.number);
  else expect(plan.to, label).toBe(op._tag === "Switch" && op.mode === "test" ? next.running : next.current);

  if (plan.steps.length === 0) count("empty plan");
  // A failing activation of the target (switch and test only: add and delete activate nothing).
  const failing = fault._tag === "Fail" && fault.activationFails === true && op._tag === "Switch" ? M.systemOf(before, M.resolvePick(before, op.pick)) : null;
  if (failing !== null) real.machine.failingActivations.add(failing);
  real.arm(fault);
  const exit = await real.apply(plan);
  if (failing !== null) real.machine.failingActivations.delete(failing);
  const fs = real.machine.fs;
  if (fault._tag === "None") {
    fs.clearFaults();
    const failure = failureOf(exit) as Failure | null;
    expect(failure, `${label} without a fault`).toBeNull();
    real.staleLockAllowed = false;
    M.adopt(model, next);
  } else if (fault._tag === "Fail") {
    fs.clearFaults();
    const failure = failureOf(exit) as Failure | null;
    real.staleLockAllowed = true;
    if (failure === null) {
      count("fail: succeeded anyway");
      M.adopt(model, next);
    } else if (failure._tag === "ApplyFailed") {
      // What the failure says must be what happened; then recover does what a user would be told to do.
      const journal = real.journalPresent();
      const outcome = failure.outcome?._tag;
      const says = `${label}: ApplyFailed says ${outcome} (${failure.message})`;
      if (outcome === "CommittedIncomplete") {
        count("fail: failed after commit");
        // Past the commit point: recover finishes the transition, or, with no journal left, it is already done.
        if (!journal) expect(await real.isIn(next), `${says}: no journal is left, so the transition must be done`).toBe(true);
        const report = squashRecover(await real.recover(), label);
        expect(report.action, `${says}; recover says`).toBe(journal ? "finished" : "nothing");
        M.adopt(model, next);
        real.staleLockAllowed = false;
      } else if (outcome === "Reverted" || outcome === "RevertedJournalLeft") {
        count("fail: failed, reverted");
        // The previous generation is running again and the boot default did not move.
        expect(await real.isIn(before), `${says}: reverted means the machine is back where it was`).toBe(true);
        // Told to run recover (the journal, or only its leftover, could not be removed): do it.
        if (journal || (failure.message ?? "").includes("switchyard recover")) {
          const report = squashRecover(await real.recover(), label);
          expect(report.action, `${says}; recover says`).toBe(journal ? "reverted" : "nothing");
          real.staleLockAllowed = false;
        }
      } else if (outcome === "RevertFailed") {
        count("fail: failed, revert failed");
        expect(journal, `${says}: the revert failed, so the journal is kept for recover`).toBe(true);
        const report = squashRecover(await real.recover(), label);
        expect(report.action, `${says}; recover says`).toBe("reverted");
        real.staleLockAllowed = false;
      } else {
        count("fail: nothing done");
        expect(outcome, says).toBe("NothingChanged");
        // Neither committed, nor reverted, nor a failed revert: nothing was done (the journal could not be written).
        expect(journal, `${says}: nothing was done, so there is no journal`).toBe(false);
        expect(await real.isIn(before), `${says}: nothing was done`).toBe(true);
      }
    } else {
      count(`fail: ${failure._tag}`);
      // Refused before the journal (the lock could not be taken, …): nothing changed.
      expect(real.journalPresent(), `${label}: ${failure._tag} leaves no journal (${failure.message})`).toBe(false);
    }
  } else {
    fs.crash((pending) => fault.keep % (pending + 1));
    fs.clearFaults();
    let first: Recover.RecoverReport | null = null;
    if (fault.again !== null) {
      const again = fault.again;
      real.arm({ _tag: "Crash", k: again.k, keep: 0, again: null });
      const exit = await real.recover();
      fs.crash((pending) => again.keep % (pending + 1));
      fs.clearFaults();
      // A recover that completed before the second crash made its outcome durable (the journal's removal is fsynced).
      if (Exit.isSuccess(exit) && exit.value.action !== "nothing") first = exit.value;
      real.trail.push(`recover [crash ${again.k} keep ${again.keep}]: ${Exit.isSuccess(exit) ? exit.value.action : "crashed"}`);
    }
    const last = squashRecover(await real.recover(), label);
    if (first !== null) expect(last.action, `${label}: recover after a completed recover`).toBe("nothing");
    const report = first ?? last;
    real.trail.push(`recover: ${report.action}`);
    count(`crash: recover ${report.action}${report.cleaned.length > 0 ? " (cleaned)" : ""}`);
    real.staleLockAllowed = false;
    if (report.action === "finished") {
      expect(report.to, `${label}: recover finished`).toBe(plan.to);
      expect(report.operation, label).toEqual(plan.operation);
      M.adopt(model, next);
    } else if (report.action === "reverted") {
      expect(report.from, `${label}: recover reverted`).toBe(plan.from);
      expect(report.operation, label).toEqual(plan.operation);
    } else if (await real.isIn(next)) M.adopt(model, next);
    // else: the old state, which the checks confirm.
  }
  await real.check(model);
};

const squashRecover = (exit: Exit.Exit<Recover.RecoverReport, unknown>, label: string): Recover.RecoverReport => {
  if (Exit.isSuccess(exit)) return exit.value;
  throw new Error(`${label}: recover failed: ${Cause.pretty(exit.cause)}`);
};

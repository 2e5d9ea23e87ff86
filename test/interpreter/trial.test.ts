/**
 * Try once, fall back, bless — for GRUB and systemd-boot, on the in-memory machine, with the
 * bootloader's side of every boot simulated (test/support/loaders.ts: systemd-boot renames the
 * counted entry, GRUB runs the generated script against grubenv). Then a crash (a dead process,
 * then power loss keeping none or all of what was not durable) at every primitive of arming a
 * trial and of blessing it: the loader must still boot a generation whose kernel and initrd are
 * there (the old default or the trial, never anything else), and `recover` must finish the job.
 */
import { Effect, Exit } from "effect";
import { describe, expect, it } from "vitest";
import * as Apply from "../../packages/interpreter/src/apply/Apply.js";
import type { MemoryFileSystem } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as Observe from "../../packages/interpreter/src/observe/Observe.js";
import * as Recover from "../../packages/interpreter/src/state/Recover.js";
import * as Bless from "../../packages/model/src/boot/Bless.js";
import * as GrubEnv from "../../packages/model/src/boot/grub/GrubEnv.js";
import * as Trial from "../../packages/model/src/boot/Trial.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import * as World from "../../packages/model/src/world/World.js";
import { bootGrub, bootSystemd, type Booted, type Disk } from "../support/loaders.js";
import { MEMORY_ROOT, NOW_MS, memoryMachine, systemOf, type Machine } from "../support/machine.js";

type Kind = "grub" | "systemd-boot";
type Memory = Machine & { readonly fs: MemoryFileSystem };

const machine = (kind: Kind, count = 3, current = 3): Memory => {
  const m = memoryMachine({ generations: Array.from({ length: count }, (_, i) => ({ number: i + 1 })), current });
  m.fs.seed(Object.fromEntries(Array.from({ length: count }, (_, i) => [`${MEMORY_ROOT}${systemOf(i + 1)}/initrd`, { kind: "file", content: `initrd ${i + 1}` }] as const)));
  return { ...m, settings: { ...m.settings, bootloader: kind, boot: { esp: InRootPath.unsafe("/boot"), menuLimit: 100 } } };
};

const disk = (m: Memory): Disk => {
  const fs = m.fs.service;
  const run = <A>(e: Effect.Effect<A, unknown>): A | null => Effect.runSync(e.pipe(Effect.catchAll(() => Effect.succeed(null))));
  const read = (p: string) => run(Effect.flatMap(fs.lstat(p), (s) => (s.kind === "file" ? Effect.map(fs.readFile(p), (b) => new TextDecoder().decode(b)) : Effect.succeed(null))));
  return {
    read,
    exists: (p) => run(fs.lstat(p)) !== null,
    list: (dir) => run(fs.readDirectory(dir)) ?? [],
    rename: (from, to) => Effect.runSync(Effect.zipRight(fs.rename(from, to), fs.fsyncDirectory(to.slice(0, to.lastIndexOf("/"))))),
    readEnv: (p) => {
      const text = read(p);
      if (text === null) return null;
      const parsed = GrubEnv.parse(text, p);
      return parsed._tag === "Right" ? parsed.right : [];
    },
    saveEnv: (p, vars) => {
      const block = GrubEnv.render(vars, p);
      if (block._tag === "Left") throw new Error(block.left);
      Effect.runSync(
        Effect.gen(function* () {
          yield* fs.remove(p).pipe(Effect.ignore);
          yield* fs.writeNewFile(p, new TextEncoder().encode(block.right));
          yield* fs.fsync(p);
          yield* fs.fsyncDirectory(p.slice(0, p.lastIndexOf("/")));
        }),
      );
    },
  };
};

/** One boot: the loader picks and counts, then the booted system's links say which generation runs. */
const boot = (m: Memory, kind: Kind): Booted => {
  const d = disk(m);
  const booted = kind === "grub" ? bootGrub(d, `${MEMORY_ROOT}/boot/grub`, MEMORY_ROOT) : bootSystemd(d, `${MEMORY_ROOT}/boot`);
  const fs = m.fs.service;
  Effect.runSync(
    Effect.gen(function* () {
      for (const link of [World.Paths.bootedSystem, World.Paths.currentSystem]) {
        yield* fs.remove(`${MEMORY_ROOT}${link}`).pipe(Effect.ignore);
        yield* fs.symlink(booted.system, `${MEMORY_ROOT}${link}`);
        yield* fs.fsyncDirectory(`${MEMORY_ROOT}/run`);
      }
    }),
  );
  return booted;
};

const observe = (m: Memory) => Effect.runPromise(Observe.world(m.root, m.settings).pipe(Effect.provide(m.layer)));

const planFor = async (m: Memory, spec: number, mode: Plan.Mode, attempts?: number) => {
  const p = Transition.between(await observe(m), { operation: { _tag: "Switch", spec: String(spec) }, mode, nowMs: NOW_MS, ...(attempts === undefined ? {} : { attempts }) });
  if (p._tag === "Left") throw new Error(p.left.message);
  return p.right;
};

const blessPlan = async (m: Memory, verdict: "good" | "bad" = "good") => {
  const o = Bless.plan(await observe(m), verdict);
  if (o._tag === "Left") throw new Error(o.left.message);
  return o.right;
};

const options = (m: Memory) => ({ root: m.root, settings: m.settings, command: "test" });
const applyExit = (m: Memory, p: Plan.Plan) => Effect.runPromiseExit(Apply.applyPlan(p, options(m)).pipe(Effect.provide(m.layer)));
const apply = async (m: Memory, p: Plan.Plan) => {
  const exit = await applyExit(m, p);
  if (Exit.isFailure(exit)) throw new Error(`apply failed: ${JSON.stringify(exit.cause)}`);
};
const trialState = async (m: Memory) => Trial.of(await observe(m));
const profileOf = (m: Memory) => {
  const e = m.fs.snapshot()[`${MEMORY_ROOT}${World.Paths.defaultProfile}`];
  return e?.kind === "symlink" ? e.target : null;
};

/** Settled on generation 3 (its menu written), then generation 1 armed for `attempts` boots. */
const armed = async (kind: Kind, attempts = 1) => {
  const m = machine(kind);
  await apply(m, await planFor(m, 3, "switch"));
  await apply(m, await planFor(m, 1, "try", attempts));
  return m;
};

for (const kind of ["grub", "systemd-boot"] as const) {
  describe(`${kind}: try, fall back, bless`, () => {
    it("try → booted → blessed: the trial becomes the permanent default and the profile moves to it", async () => {
      const m = await armed(kind);
      expect(profileOf(m)).toBe("system-3-link");
      expect(await trialState(m)).toEqual({ state: "pending", generation: 1, fallback: 3, triesLeft: 1 });
      expect(boot(m, kind).generation).toBe(1);
      expect(await trialState(m)).toEqual({ state: "booted", generation: 1, fallback: 3, triesLeft: 0 });
      const b = await blessPlan(m);
      expect(b.message).toBe("blessed generation 1: it is the boot default from now on");
      await apply(m, b.plan);
      expect(profileOf(m)).toBe("system-1-link");
      expect(await trialState(m)).toEqual({ state: "blessed", generation: 1 });
      for (let i = 0; i < 3; i++) expect(boot(m, kind).generation).toBe(1);
      // Nothing left to bless on later boots (the unit runs on every boot).
      expect(await blessPlan(m)).toMatchObject({ message: "no trial boot is pending; generation 1 is the boot default", plan: { steps: [] } });
      if (kind === "grub") {
        const env = disk(m).readEnv(`${MEMORY_ROOT}/boot/grub/grubenv`) ?? [];
        expect(env.filter(([name]) => name.startsWith("switchyard_"))).toEqual([]);
      }
    });

    it("try → never blessed → the next boot falls back by itself, and status says which generation failed", async () => {
      const m = await armed(kind);
      expect(boot(m, kind).generation).toBe(1);
      expect(boot(m, kind).generation).toBe(3);
      const state = await trialState(m);
      expect(state).toEqual({ state: "fell-back", generation: 1, fallback: 3 });
      expect(Trial.describe(state as Trial.Status)).toBe("fell back: generation 1 failed to boot (no tries left), so generation 3 booted instead");
      expect(await blessPlan(m)).toMatchObject({ message: "generation 1 failed to boot (no tries left), so generation 3 booted instead; nothing to bless", plan: { steps: [] } });
      expect(boot(m, kind).generation).toBe(3);
      expect(profileOf(m)).toBe("system-3-link");
    });

    it("try with two attempts: two boots of the trial, then the fallback", async () => {
      const m = await armed(kind, 2);
      expect(await trialState(m)).toMatchObject({ state: "pending", triesLeft: 2 });
      expect(boot(m, kind).generation).toBe(1);
      expect(await trialState(m)).toMatchObject({ state: "booted", triesLeft: 1 });
      expect(boot(m, kind).generation).toBe(1);
      expect(boot(m, kind).generation).toBe(3);
      expect(await trialState(m)).toMatchObject({ state: "fell-back", generation: 1 });
    });

    it("bless --bad gives up at once: the next boot falls back", async () => {
      const m = await armed(kind, 3);
      expect(boot(m, kind).generation).toBe(1);
      const b = await blessPlan(m, "bad");
      expect(b.message).toBe("gave up generation 1; generation 3 boots next");
      await apply(m, b.plan);
      expect(await trialState(m)).toMatchObject({ state: "booted", generation: 1, triesLeft: 0 });
      expect(boot(m, kind).generation).toBe(3);
      expect(await trialState(m)).toMatchObject({ state: "fell-back", generation: 1 });
    });

    it("a switch while a trial is pending cancels it; an add keeps it", async () => {
      const m = await armed(kind, 2);
      expect(boot(m, kind).generation).toBe(1);
      await apply(m, await planFor(m, 2, "boot"));
      expect(await trialState(m)).toEqual({ state: "blessed", generation: 2 });
      expect(boot(m, kind).generation).toBe(2);
      await apply(m, await planFor(m, 1, "try", 2));
      const world = await observe(m);
      const added = Transition.adding(world, { system: InRootPath.unsafe("/store/new-system"), manifest: (World.generation(world, 3) as World.Generation).manifest, nowMs: NOW_MS, utcOffsetMinutes: 0 });
      expect(added._tag === "Right" && added.right.boot?.trial).toEqual({ generation: 1, attempts: null });
    });
  });

  describe(`${kind}: a crash at every primitive`, () => {
    /** Apply `plan` with every mutating primitive from the k-th on failing, then lose power keeping none or all pending changes. */
    const crashAt = async (m: Memory, plan: Plan.Plan, k: number, keepAll: boolean) => {
      let seen = 0;
      m.fs.failWhen(() => ++seen >= k);
      await applyExit(m, plan);
      m.fs.crash(keepAll ? (pending) => pending : () => 0);
      m.fs.clearFaults();
    };
    const recover = async (m: Memory) => {
      const exit = await Effect.runPromiseExit(Recover.recover(options(m)).pipe(Effect.provide(m.layer)));
      if (Exit.isFailure(exit)) throw new Error(`recover failed: ${JSON.stringify(exit.cause)}`);
    };
    const mutations = async (make: () => Promise<{ m: Memory; plan: Plan.Plan }>) => {
      const { m, plan } = await make();
      const before = m.fs.mutationCount();
      await apply(m, plan);
      return m.fs.mutationCount() - before;
    };
    /** For each primitive k of the apply (and one past the last), keeping none or all pending changes: crash a fresh machine there, then `check` it. */
    const eachCrash = async (make: () => Promise<{ m: Memory; plan: Plan.Plan }>, check: (m: Memory, what: string) => Promise<void>) => {
      const total = await mutations(make);
      for (let k = 1; k <= total + 1; k++) {
        for (const keepAll of [false, true]) {
          const { m, plan } = await make();
          await crashAt(m, plan, k, keepAll);
          await check(m, `crash at primitive ${k} of ${total}, keeping ${keepAll ? "all" : "none"}`);
        }
      }
    };

    it("of arming a trial: every crash boots the old default or the trial, and recover arms it", async () => {
      const make = async () => {
        const m = machine(kind);
        await apply(m, await planFor(m, 3, "switch"));
        return { m, plan: await planFor(m, 1, "try") };
      };
      const seen = new Set<number>();
      await eachCrash(make, async (m, what) => {
        // The loader runs before anyone can recover: it must find a bootable default.
        const first = boot(m, kind).generation;
        expect([1, 3], what).toContain(first);
        seen.add(first);
        await recover(m);
        // After recover the trial is armed (or was not yet when the crash came): the loader boots 1, or 3.
        expect([1, 3], what).toContain(boot(m, kind).generation);
      });
      expect([...seen].sort()).toEqual([1, 3]);
    });

    it("of blessing the booted trial: every crash boots the trial or the fallback, and recover (or bless again) makes the trial the default", async () => {
      const make = async () => {
        const m = await armed(kind);
        expect(boot(m, kind).generation).toBe(1);
        return { m, plan: (await blessPlan(m)).plan };
      };
      const seen = new Set<number>();
      await eachCrash(make, async (m, what) => {
        await recover(m);
        // Once the mark is durable the trial boots; before it, the attempt is spent and the fallback boots.
        const next = boot(m, kind).generation;
        expect([1, 3], what).toContain(next);
        seen.add(next);
        if (next === 1) {
          const again = await blessPlan(m);
          await apply(m, again.plan);
          expect(profileOf(m), what).toBe("system-1-link");
          expect(await trialState(m), what).toEqual({ state: "blessed", generation: 1 });
          expect(boot(m, kind).generation, what).toBe(1);
        } else expect(await trialState(m), what).toMatchObject({ state: "fell-back", generation: 1 });
      });
      expect([...seen].sort()).toEqual([1, 3]);
    });
  });
}

/**
 * The lock (`/var/lib/switchyard/lock`) over the in-memory file system, with fake processes: each
 * has its own pid and boot id, and `isAlive` answers from a set the test controls. A live holder
 * is named; a dead one, or one from another boot, is taken over; an abandoned `lock.takeover` is
 * cleared; `--wait-lock` waits (on effect's TestClock); release checks the token; and contenders
 * racing for the same dead lock through interleaved effects never hold it at the same time.
 */
import { Clock as EffectClock, Effect, Either, Exit, Fiber, Layer, TestClock, TestContext } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Lock from "../../packages/interpreter/src/state/Lock.js";
import { makeMemoryFileSystem, type MemoryFileSystem } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import { Clock } from "../../packages/interpreter/src/ports/Clock.js";
import { FileSystem, type FileSystemService } from "../../packages/interpreter/src/ports/FileSystem.js";
import { ProcessRunner } from "../../packages/interpreter/src/ports/ProcessRunner.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";

const ROOT = "/r";
const root = Root.make(ROOT);
const LOCK = `${ROOT}/var/lib/switchyard/lock`;
const TAKEOVER = `${LOCK}.takeover`;
const NOW_MS = Date.UTC(2026, 10, 21, 12, 0);

const freshDisk = (): MemoryFileSystem => makeMemoryFileSystem({ seed: { [`${ROOT}/var/lib/switchyard/profiles`]: { kind: "directory" } } });

/** The clock port reading effect's clock, so TestClock drives both `nowMs` and `Effect.sleep`. */
const effectClock = Layer.succeed(Clock, { nowMs: EffectClock.currentTimeMillis, utcOffsetMinutes: () => 0 });
const fixed = Layer.succeed(Clock, { nowMs: Effect.succeed(NOW_MS), utcOffsetMinutes: () => 0 });

interface World {
  /** Pids that exist. */
  readonly alive: Set<number>;
  readonly bootId: string;
}

/** One process: its pid, the boot it runs in, the shared disk and the shared process table. */
const processOf = (disk: Layer.Layer<FileSystem>, world: World, pid: number, clock = fixed, bootId = world.bootId) =>
  Layer.mergeAll(
    disk,
    clock,
    Layer.succeed(ProcessRunner, {
      pid,
      bootId,
      kernelRelease: "6.1.0",
      isAlive: (p: number) => Effect.sync(() => world.alive.has(p)),
      run: () => Effect.die("no programs here"),
      startDetached: () => Effect.die("no programs here"),
      inspect: () => Effect.succeed(null),
    }),
  );

const holderFile = (h: Partial<Lock.Holder>) => ({
  kind: "file" as const,
  content: `${JSON.stringify({ pid: 1, bootId: "boot-1", command: "apply switch 9", startedAt: "2026-11-21T11:00:00.000Z", token: `${h.pid ?? 1}-old`, ...h })}\n`,
});

const lockContent = (memory: MemoryFileSystem, path = LOCK): Lock.Holder | undefined => {
  const e = memory.snapshot()[path];
  return e?.kind === "file" ? (JSON.parse(String(e.content)) as Lock.Holder) : undefined;
};

/** The fields a holder writes into the lock file (the returned holder may carry more, never written). */
const written = (h: Lock.Holder) => ({ pid: h.pid, bootId: h.bootId, command: h.command, startedAt: h.startedAt, token: h.token });

const failureMessage = (exit: Exit.Exit<unknown, { readonly _tag: string; readonly message: string }>): string => {
  if (Exit.isSuccess(exit)) return "acquired";
  const e = exit.cause._tag === "Fail" ? exit.cause.error : null;
  return e === null ? String(exit.cause) : `${e._tag}: ${e.message}`;
};

describe("the lock", () => {
  it("held by a live process: LockHeld naming its pid and command; the lock is left as it is", async () => {
    const memory = freshDisk();
    const world: World = { alive: new Set([100, 200]), bootId: "boot-1" };
    await Effect.runPromise(Lock.acquire(root, "apply switch 2").pipe(Effect.provide(processOf(memory.layer, world, 100))));
    const before = memory.snapshot();
    const exit = await Effect.runPromiseExit(Lock.acquire(root, "apply rollback").pipe(Effect.provide(processOf(memory.layer, world, 200))));
    expect(failureMessage(exit)).toBe(
      `LockHeld: another switchyard apply holds ${LOCK}: pid 100 ('switchyard apply switch 2', started 2026-11-21T12:00:00.000Z); wait for it to finish (--wait-lock SECONDS)`,
    );
    expect(memory.snapshot()).toEqual(before);
  });

  it("held by a dead process (its pid is gone): taken over", async () => {
    const memory = freshDisk();
    memory.seed({ [LOCK]: holderFile({ pid: 100, bootId: "boot-1" }) });
    const world: World = { alive: new Set([200]), bootId: "boot-1" };
    const holder = await Effect.runPromise(Lock.acquire(root, "apply rollback").pipe(Effect.provide(processOf(memory.layer, world, 200))));
    expect(holder).toMatchObject({ pid: 200, bootId: "boot-1", command: "apply rollback" });
    expect(lockContent(memory)).toEqual(written(holder));
    expect(memory.snapshot()[TAKEOVER]).toBeUndefined();
    // A power loss now keeps a whole lock: ours, or the dead holder's (nothing was done under ours
    // yet, and the next command takes that one over again); never an empty or a partial one.
    const kept = memory.snapshotAfterCrash(0)[LOCK];
    expect([memory.snapshot()[LOCK], holderFile({ pid: 100, bootId: "boot-1" })]).toContainEqual(kept);
  });

  for (const pid of [0, -1, -100]) {
    it(`naming pid ${pid} (a process group, never a holder): an unreadable lock, held while fresh, taken over once old`, async () => {
      // A process table that would answer for the group, as kill(-100, 0) does when group 100 exists.
      const world: World = { alive: new Set([100, -100, 200]), bootId: "boot-1" };
      const fresh = freshDisk();
      fresh.seed({ [LOCK]: { ...holderFile({ pid }), mtimeMs: NOW_MS - 1000 } });
      const held = await Effect.runPromiseExit(Lock.acquire(root, "recover").pipe(Effect.provide(processOf(fresh.layer, world, 200))));
      expect(failureMessage(held)).toBe(`LockHeld: another switchyard apply holds ${LOCK}: an unknown process; wait for it to finish (--wait-lock SECONDS)`);
      const old = freshDisk();
      old.seed({ [LOCK]: { ...holderFile({ pid }), mtimeMs: NOW_MS - 60_000 } });
      const holder = await Effect.runPromise(Lock.acquire(root, "recover").pipe(Effect.provide(processOf(old.layer, world, 200))));
      expect(lockContent(old)).toEqual(written(holder));
    });
  }

  it("taken in another boot (its pid may exist again, but not as that holder): taken over", async () => {
    const memory = freshDisk();
    memory.seed({ [LOCK]: holderFile({ pid: 100, bootId: "boot-0" }) });
    const world: World = { alive: new Set([100, 200]), bootId: "boot-1" };
    const holder = await Effect.runPromise(Lock.acquire(root, "recover").pipe(Effect.provide(processOf(memory.layer, world, 200))));
    expect(lockContent(memory)).toEqual(written(holder));
    expect(holder.pid).toBe(200);
  });

  it("an abandoned lock.takeover (its holder died) over a dead lock: cleared, and the lock taken", async () => {
    const memory = freshDisk();
    memory.seed({ [LOCK]: holderFile({ pid: 100 }), [TAKEOVER]: holderFile({ pid: 300, command: "recover" }) });
    const world: World = { alive: new Set([200]), bootId: "boot-1" };
    const exit = await Effect.runPromiseExit(Lock.acquire(root, "recover", 0).pipe(Effect.provide(processOf(memory.layer, world, 200))));
    expect(memory.snapshot()[TAKEOVER]).toBeUndefined();
    // With no --wait-lock, the cleared takeover must not be reported as a holder: pid 300 is dead.
    expect(failureMessage(exit)).toBe("acquired");
    expect(lockContent(memory)?.pid).toBe(200);
  });

  it("an abandoned lock.takeover with no lock: the lock is taken and the stale takeover does not stay behind", async () => {
    const memory = freshDisk();
    memory.seed({ [TAKEOVER]: holderFile({ pid: 300, command: "recover" }) });
    const world: World = { alive: new Set([200]), bootId: "boot-1" };
    const proc = processOf(memory.layer, world, 200);
    await Effect.runPromise(Lock.withLock(root, "recover", 0, () => Effect.void).pipe(Effect.provide(proc)));
    expect(memory.snapshot()[LOCK]).toBeUndefined();
    expect(memory.snapshot()[TAKEOVER]).toBeUndefined();
  });

  it("--wait-lock: acquired when the holder releases during the wait", async () => {
    const memory = freshDisk();
    const world: World = { alive: new Set([100, 200]), bootId: "boot-1" };
    const a = processOf(memory.layer, world, 100, effectClock);
    const b = processOf(memory.layer, world, 200, effectClock);
    const program = Effect.gen(function* () {
      const first = yield* Lock.acquire(root, "apply switch 2", 0).pipe(Effect.provide(a));
      const waiting = yield* Effect.fork(Lock.acquire(root, "apply rollback", 1).pipe(Effect.provide(b)));
      yield* TestClock.adjust("300 millis");
      expect(lockContent(memory)?.pid).toBe(100);
      yield* Lock.release(root, first).pipe(Effect.provide(a));
      yield* TestClock.adjust("200 millis");
      return yield* Fiber.join(waiting);
    });
    const second = await Effect.runPromise(program.pipe(Effect.provide(TestContext.TestContext)));
    expect(second.pid).toBe(200);
    expect(lockContent(memory)).toEqual(written(second));
  });

  it("--wait-lock: fails after the wait, naming the holder and the wait", async () => {
    const memory = freshDisk();
    const world: World = { alive: new Set([100, 200]), bootId: "boot-1" };
    const program = Effect.gen(function* () {
      yield* Lock.acquire(root, "apply switch 2", 0).pipe(Effect.provide(processOf(memory.layer, world, 100, effectClock)));
      const waiting = yield* Effect.fork(Lock.acquire(root, "apply rollback", 1).pipe(Effect.provide(processOf(memory.layer, world, 200, effectClock))));
      yield* TestClock.adjust("999 millis");
      expect(yield* Fiber.poll(waiting)).toMatchObject({ _tag: "None" });
      yield* TestClock.adjust("200 millis");
      return yield* Fiber.await(waiting);
    });
    const exit = await Effect.runPromise(program.pipe(Effect.provide(TestContext.TestContext)));
    expect(failureMessage(exit as Exit.Exit<unknown, { _tag: string; message: string }>)).toBe(
      `LockHeld: another switchyard apply holds ${LOCK}: pid 100 ('switchyard apply switch 2', started 1970-01-01T00:00:00.000Z) (waited 1s); wait for it to finish (--wait-lock SECONDS)`,
    );
  });

  it("release removes only our own lock (token check)", async () => {
    const memory = freshDisk();
    const world: World = { alive: new Set([100, 200]), bootId: "boot-1" };
    const a = processOf(memory.layer, world, 100);
    const mine = await Effect.runPromise(Lock.acquire(root, "apply switch 2").pipe(Effect.provide(a)));
    // Someone with another token (a stale handle, another acquisition) cannot release it.
    await Effect.runPromise(Lock.release(root, { ...mine, token: "100-someone-else" }).pipe(Effect.provide(a)));
    expect(lockContent(memory)).toEqual(written(mine));
    // A holder presumed dead is taken over; when it wakes up and releases, the new holder's lock stays.
    world.alive.delete(100);
    const b = processOf(memory.layer, world, 200);
    const theirs = await Effect.runPromise(Lock.acquire(root, "recover").pipe(Effect.provide(b)));
    await Effect.runPromise(Lock.release(root, mine).pipe(Effect.provide(a)));
    expect(lockContent(memory)).toEqual(written(theirs));
    await Effect.runPromise(Lock.release(root, theirs).pipe(Effect.provide(b)));
    expect(memory.snapshot()[LOCK]).toBeUndefined();
    expect(memory.snapshotAfterCrash(0)[LOCK]).toBeUndefined();
  });
});

/** The disk seen through a layer that yields to other fibers before every operation, `schedule[i]` times. */
const interleaved = (service: FileSystemService, schedule: ReadonlyArray<number>): Layer.Layer<FileSystem> => {
  let i = 0;
  const pause = Effect.suspend(() => {
    const n = schedule[i++ % schedule.length] ?? 0;
    return Effect.forEach(Array.from({ length: n }), () => Effect.yieldNow(), { discard: true });
  });
  const wrapped = Object.fromEntries(
    Object.entries(service).map(([name, f]) => [name, (...args: Array<unknown>) => Effect.zipRight(pause, (f as (...a: Array<unknown>) => Effect.Effect<unknown, unknown>)(...args))]),
  ) as unknown as FileSystemService;
  return Layer.succeed(FileSystem, wrapped);
};

describe("contenders for the same dead lock", () => {
  it("never hold it at the same time, whatever the interleaving", async () => {
    let rounds = 0;
    let acquisitions = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 8 }),
        fc.array(fc.nat(4), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(6), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        async (contenders, schedule, holdFor, deadLock) => {
          const memory = freshDisk();
          if (deadLock) memory.seed({ [LOCK]: holderFile({ pid: 1, bootId: "boot-1" }) });
          const disk = interleaved(memory.service, schedule);
          const world: World = { alive: new Set(Array.from({ length: contenders }, (_, i) => 1000 + i)), bootId: "boot-1" };
          let inside = 0;
          let most = 0;
          const hold = (i: number) =>
            Effect.gen(function* () {
              inside++;
              most = Math.max(most, inside);
              for (let y = 0; y < (holdFor[i] ?? 0) + 1; y++) yield* Effect.yieldNow();
              inside--;
              return true;
            });
          const results = await Effect.runPromise(
            Effect.all(
              Array.from({ length: contenders }, (_, i) =>
                Effect.either(Lock.withLock(root, `contender ${i}`, 0, () => hold(i))).pipe(Effect.provide(processOf(disk, world, 1000 + i))),
              ),
              { concurrency: "unbounded" },
            ),
          );
          rounds++;
          const won = results.filter(Either.isRight).length;
          acquisitions += won;
          expect(most).toBeLessThanOrEqual(1);
          expect(won).toBeGreaterThanOrEqual(1);
          for (const r of results) if (Either.isLeft(r)) expect(r.left._tag).toBe("LockHeld");
          // Everyone released: no lock and no takeover left behind.
          expect(memory.snapshot()[LOCK]).toBeUndefined();
          expect(memory.snapshot()[TAKEOVER]).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
    console.log(`lock race: ${rounds} rounds, ${acquisitions} acquisitions, never two at once`);
  });
});

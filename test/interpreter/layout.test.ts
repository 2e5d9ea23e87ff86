/**
 * The state directory's layout marker: `Layout.detect`, `ensure` and `stamp` over the in-memory file
 * system. A new state directory is left alone; `layout.v1` costs one read-only call; an old one (content, no
 * marker) is migrated under the lock — leftovers removed, the marker written last, idempotent, and
 * resumable after a crash at any point; a newer layout is refused and left untouched.
 */
import { Effect, Exit, Layer } from "effect";
import { describe, expect, it } from "vitest";
import * as Layout from "../../packages/interpreter/src/state/Layout.js";
import { makeMemoryFileSystem, type MemoryFileSystem, type Tree } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import { Clock } from "../../packages/interpreter/src/ports/Clock.js";
import { FileSystem, type FileSystemService } from "../../packages/interpreter/src/ports/FileSystem.js";
import { ProcessRunner } from "../../packages/interpreter/src/ports/ProcessRunner.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";

const ROOT = "/r";
const root = Root.make(ROOT);
const STATE = `${ROOT}/var/lib/switchyard`;
const MARKER = `${STATE}/layout.v1`;
const NOW_MS = Date.UTC(2026, 10, 21, 12, 0);

const file = (content: string) => ({ kind: "file", content }) as const;
const dir = { kind: "directory" } as const;
const link = (target: string) => ({ kind: "symlink", target }) as const;

/** What every state directory has: a profile with two generations. */
const profile: Tree = {
  [`${STATE}/profiles/system-1-link`]: link("/store/aaaa-1"),
  [`${STATE}/profiles/system-2-link`]: link("/store/aaaa-2"),
  [`${STATE}/profiles/system`]: link("system-2-link"),
};

/** A state directory from before markers existed, with crash leftovers and one unknown directory. */
const old: Tree = {
  ...profile,
  [`${STATE}/journal-old`]: dir,
  [`${STATE}/journal-old/notes`]: file("not ours to remove"),
  [`${STATE}/.journal-done-77-abc`]: dir,
  [`${STATE}/.journal-done-77-abc/plan.json`]: file("{}"),
  [`${STATE}/.journal-done-77-abc/progress.json`]: file("{}"),
  [`${STATE}/.journal-new-78-abd`]: dir,
  [`${STATE}/.progress.json.switchyard-tmp-77-3`]: file("{"),
  [`${STATE}/.layout.v1.switchyard-tmp-77-4`]: file(""),
};
const leftovers = [
  `${STATE}/.journal-done-77-abc`,
  `${STATE}/.journal-done-77-abc/plan.json`,
  `${STATE}/.journal-done-77-abc/progress.json`,
  `${STATE}/.journal-new-78-abd`,
  `${STATE}/.progress.json.switchyard-tmp-77-3`,
  `${STATE}/.layout.v1.switchyard-tmp-77-4`,
];

/** A process with the given pid, which `isAlive` says exists only while it runs (`alive`). */
const processLayer = (disk: Layer.Layer<FileSystem>, pid = 4242, alive: ReadonlySet<number> = new Set([pid])) =>
  Layer.mergeAll(
    disk,
    Layer.succeed(Clock, { nowMs: Effect.succeed(NOW_MS + pid), utcOffsetMinutes: () => 0 }),
    Layer.succeed(ProcessRunner, { pid, bootId: "boot-1", kernelRelease: "6.1.0", isAlive: (p: number) => Effect.succeed(alive.has(p)), run: () => Effect.die("no programs"), startDetached: () => Effect.die("no programs"), inspect: () => Effect.succeed(null) }),
  );

/** The disk, counting calls of every method. */
const counting = (service: FileSystemService) => {
  const calls: Record<string, number> = {};
  const wrapped = Object.fromEntries(
    Object.entries(service).map(([name, f]) => [
      name,
      (...args: Array<unknown>) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return (f as (...a: Array<unknown>) => unknown)(...args);
      },
    ]),
  ) as unknown as FileSystemService;
  return { calls, layer: Layer.succeed(FileSystem, wrapped) };
};

const ensure = (memory: MemoryFileSystem, pid = 4242) => Effect.runPromiseExit(Layout.ensure(root, 0).pipe(Effect.provide(processLayer(memory.layer, pid))));

/** A check that nothing changed, live or durable; with `attempts: false`, that not even a mutation was tried. */
const unchanged = (memory: MemoryFileSystem, attempts = false) => {
  const live = memory.snapshot({ mtimes: true });
  const durable = memory.snapshotAfterCrash(0, { mtimes: true });
  const mutations = memory.mutationCount();
  return () => {
    if (!attempts) expect(memory.mutationCount()).toBe(mutations);
    expect(memory.snapshot({ mtimes: true })).toEqual(live);
    expect(memory.snapshotAfterCrash(0, { mtimes: true })).toEqual(durable);
  };
};

describe("Layout.detect / ensure", () => {
  it("a new state directory (only profiles/ and lock) is Empty, and nothing is written", async () => {
    const memory = makeMemoryFileSystem({ seed: { ...profile, [`${STATE}/lock`]: file(`{"pid":1}\n`) } });
    const check = unchanged(memory);
    expect(await Effect.runPromise(Layout.detect(root).pipe(Effect.provide(memory.layer)))).toEqual({ _tag: "Empty" });
    const exit = await ensure(memory);
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ _tag: "Empty" });
    check();
  });

  it("a missing state directory is Empty too", async () => {
    const memory = makeMemoryFileSystem({ seed: { [`${ROOT}/etc`]: dir } });
    const check = unchanged(memory);
    const exit = await ensure(memory);
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ _tag: "Empty" });
    check();
  });

  it("layout.v1 is Current, found with one read-only call (an lstat of the marker, or a readdir that also sees newer markers) and nothing else", async () => {
    const memory = makeMemoryFileSystem({ seed: { ...profile, [MARKER]: file("switchyard state directory layout v1\n"), ...old } });
    const disk = counting(memory.service);
    const exit = await Effect.runPromiseExit(Layout.ensure(root, 0).pipe(Effect.provide(processLayer(disk.layer))));
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ _tag: "Current" });
    expect(Object.values(disk.calls).reduce((a, b) => a + b, 0)).toBe(1);
    expect(["lstat", "readDirectory"]).toContain(Object.keys(disk.calls)[0]);
  });

  it("layout.v2 is refused (LayoutError Newer, a clear message) and nothing is changed", async () => {
    const memory = makeMemoryFileSystem({ seed: { ...old, [`${STATE}/layout.v2`]: file("switchyard state directory layout v2\n") } });
    const check = unchanged(memory);
    const exit = await ensure(memory);
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : null;
    expect(error).toMatchObject({
      _tag: "LayoutError",
      reason: "Newer",
      message: `${STATE} has layout v2, newer than this switchyard understands (v1); use a newer switchyard`,
    });
    check();
  });

  it("layout.v2 next to a layout.v1 its stamp had not removed yet (a newer switchyard interrupted) is still refused", async () => {
    // `stamp` writes the new marker first and removes older ones after (without a directory fsync),
    // so both can be there after a crash — e.g. when the machine then rolls back to a generation
    // that ships this older switchyard.
    const memory = makeMemoryFileSystem({
      seed: { ...profile, [MARKER]: file("switchyard state directory layout v1\n"), [`${STATE}/layout.v2`]: file("switchyard state directory layout v2\n") },
    });
    const check = unchanged(memory);
    const exit = await ensure(memory);
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : null;
    expect(error).toMatchObject({ _tag: "LayoutError", reason: "Newer" });
    check();
  });
});

describe("migrating a state directory without a marker", () => {
  it("under the lock: leftovers removed, everything else kept, the marker written last; idempotent", async () => {
    const memory = makeMemoryFileSystem({ seed: old });
    const base = memory.mutationCount();
    const exit = await ensure(memory);
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ _tag: "Version", version: 0 });
    const after = memory.snapshot();
    for (const p of leftovers) expect(after[p], p).toBeUndefined();
    for (const [p, e] of Object.entries(profile)) expect(after[p], p).toEqual(e);
    expect(after[`${STATE}/journal-old/notes`]).toEqual(file("not ours to remove"));
    expect(after[MARKER]).toEqual(file("switchyard state directory layout v1\n"));
    expect(after[`${STATE}/lock`]).toBeUndefined();
    // The order: the lock first, every removal, then the marker (renamed into place), then the lock's release.
    const log = memory.log().filter((e) => e.n > base);
    const lockTaken = log.findIndex((e) => e.op === "writeNewFile" && e.path === `${STATE}/lock`);
    const markerPlaced = log.findIndex((e) => e.op === "rename" && e.to === MARKER);
    const lockReleased = log.findIndex((e) => e.op === "remove" && e.path === `${STATE}/lock`);
    const removals = log.flatMap((e, i) => ((e.op === "remove" || e.op === "removeDirectory") && leftovers.includes(e.path) ? [i] : []));
    expect(removals.length).toBe(leftovers.length);
    expect(lockTaken).toBeGreaterThanOrEqual(0);
    expect(Math.min(...removals)).toBeGreaterThan(lockTaken);
    expect(markerPlaced).toBeGreaterThan(Math.max(...removals));
    expect(lockReleased).toBeGreaterThan(markerPlaced);
    // The marker is durable.
    expect(memory.snapshotAfterCrash(0)[MARKER]).toEqual(file("switchyard state directory layout v1\n"));
    // Again: Current, nothing written.
    const check = unchanged(memory);
    const again = await ensure(memory, 4343);
    expect(Exit.isSuccess(again) && again.value).toEqual({ _tag: "Current" });
    check();
  });

  it("refuses to migrate while another live process holds the lock, and changes nothing", async () => {
    const memory = makeMemoryFileSystem({ seed: { ...old, [`${STATE}/lock`]: file(`${JSON.stringify({ pid: 99, bootId: "boot-1", command: "apply rollback", startedAt: "x", token: "99-x" })}\n`) } });
    const check = unchanged(memory, true); // taking the lock tries an exclusive create, which fails
    const exit = await Effect.runPromiseExit(Layout.ensure(root, 0).pipe(Effect.provide(processLayer(memory.layer, 4242, new Set([4242, 99])))));
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : null;
    expect(error).toMatchObject({ _tag: "LockHeld" });
    check();
  });

  it("resumes after a crash at any point of the migration, ending exactly where an uninterrupted one ends", async () => {
    const reference = makeMemoryFileSystem({ seed: old });
    const base = reference.mutationCount();
    await ensure(reference);
    const points = reference.mutationCount() - base + 1;
    const expected = reference.snapshot();
    let tried = 0;
    const wrong: Array<string> = [];
    for (let k = 1; k <= points; k++) {
      for (const keepAll of [false, true]) {
        const memory = makeMemoryFileSystem({ seed: old });
        let seen = 0;
        memory.failWhen(() => ++seen >= k); // the migrating process dies at its k-th primitive
        await ensure(memory, 4242);
        memory.crash((pending) => (keepAll ? pending : 0));
        memory.clearFaults();
        // A new process (the crashed one is dead) runs any command: ensure first.
        const exit = await ensure(memory, 5353);
        tried++;
        const what = `crash at primitive ${k} keeping ${keepAll ? "all" : "none"}`;
        if (Exit.isFailure(exit)) {
          wrong.push(`${what}: ensure failed`);
          continue;
        }
        // The dead process's lock may still be there if the marker was already durable: the next apply takes it over.
        const { [`${STATE}/lock`]: lock, ...rest } = memory.snapshot();
        if (lock !== undefined && !(lock.kind === "file" && JSON.parse(String(lock.content)).pid === 4242)) wrong.push(`${what}: a lock not the dead process's`);
        const extra = Object.keys(rest).filter((p) => !(p in expected));
        const missing = Object.keys(expected).filter((p) => !(p in rest));
        if (extra.length + missing.length > 0 || JSON.stringify(rest) !== JSON.stringify(expected)) {
          wrong.push(`${what}: ${extra.length > 0 ? `left ${extra.join(", ")}` : ""}${missing.length > 0 ? ` lost ${missing.join(", ")}` : ""}`);
        }
      }
    }
    console.log(`layout: ${tried} crash points of the migration tried (k = 1..${points} × keep none/all)`);
    // Every crash point, listed when wrong, so one run shows the whole pattern.
    expect(wrong).toEqual([]);
  });
});

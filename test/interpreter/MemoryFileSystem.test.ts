/**
 * The crash model of MemoryFileSystem: the durable write and link-switch patterns survive a crash at
 * every point, a missing fsync is caught, injected faults have no effect, and the laws that make
 * crash states trustworthy hold for random operation sequences.
 */
import { posix } from "node:path";
import { Effect, Either } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeMemoryFileSystem, type MemoryFileSystem, type Tree } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import type { FileSystemService, FsError } from "../../packages/interpreter/src/ports/FileSystem.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const attempt = <A>(effect: Effect.Effect<A, FsError>): Either.Either<A, FsError> => Effect.runSync(Effect.either(effect));
const run = <A>(effect: Effect.Effect<A, FsError>): A => Effect.runSync(effect);

type Step = (fs: FileSystemService) => Effect.Effect<unknown, FsError>;

/**
 * Every tree a crash can leave: for each number m of steps completed (0…all) and each number of
 * pending changes kept (0…pendingCount), on a fresh file system.
 */
const crashStates = (seed: Tree, steps: ReadonlyArray<Step>, under: string): Array<Tree> => {
  const states: Array<Tree> = [];
  for (let m = 0; m <= steps.length; m++) {
    const memory = makeMemoryFileSystem({ seed });
    for (const step of steps.slice(0, m)) run(step(memory.service));
    for (let keep = 0; keep <= memory.pendingCount(); keep++) states.push(memory.snapshotAfterCrash(keep, { under }));
  }
  return states;
};

/** Distinct trees, compared as JSON. */
const distinct = (trees: ReadonlyArray<Tree>): Array<Tree> => [
  ...new Map(trees.map((tree) => [JSON.stringify(tree), tree])).values(),
];

const file = (content: string) => ({ kind: "file", content }) as const;
const link = (target: string) => ({ kind: "symlink", target }) as const;

describe("MemoryFileSystem crash model", () => {
  const seed: Tree = { "/sys/conf": file("old") };

  it("write tmp + fsync + rename + fsyncDirectory: the file is old or new at every crash point, never empty", () => {
    const states = crashStates(
      seed,
      [
        (fs) => fs.writeNewFile("/sys/conf.tmp", bytes("new")),
        (fs) => fs.fsync("/sys/conf.tmp"),
        (fs) => fs.rename("/sys/conf.tmp", "/sys/conf"),
        (fs) => fs.fsyncDirectory("/sys"),
      ],
      "/sys",
    );
    expect(distinct(states)).toEqual([
      { conf: file("old") },
      { conf: file("old"), "conf.tmp": file("new") }, // a stray tmp file may remain
      { conf: file("new") },
    ]);
  });

  it("without the fsync before rename, a crash after fsyncDirectory leaves the file EMPTY", () => {
    const memory = makeMemoryFileSystem({ seed });
    run(memory.service.writeNewFile("/sys/conf.tmp", bytes("new")));
    run(memory.service.rename("/sys/conf.tmp", "/sys/conf"));
    run(memory.service.fsyncDirectory("/sys"));
    expect(memory.pendingCount()).toBe(1);
    memory.crash();
    expect(memory.snapshot({ under: "/sys" })).toEqual({ conf: file("") });
    expect(memory.pendingCount()).toBe(0);
  });

  it("symlink at a tmp name + rename over + fsyncDirectory: the link is old or new at every crash point", () => {
    const states = crashStates(
      { "/sys/current": link("gen-1") },
      [
        (fs) => fs.symlink("gen-2", "/sys/current.tmp"),
        (fs) => fs.rename("/sys/current.tmp", "/sys/current"),
        (fs) => fs.fsyncDirectory("/sys"),
      ],
      "/sys",
    );
    expect(distinct(states)).toEqual([
      { current: link("gen-1") },
      { current: link("gen-1"), "current.tmp": link("gen-2") },
      { current: link("gen-2") },
    ]);
  });

  it("a rename moves the identity that fsync flushes", () => {
    const memory = makeMemoryFileSystem({ seed });
    run(memory.service.writeNewFile("/sys/conf.tmp", bytes("new")));
    run(memory.service.rename("/sys/conf.tmp", "/sys/conf"));
    run(memory.service.fsync("/sys/conf"));
    run(memory.service.fsyncDirectory("/sys"));
    expect(memory.pendingCount()).toBe(0);
    memory.crash();
    expect(memory.snapshot({ under: "/sys" })).toEqual({ conf: file("new") });
  });

  it("a cross-directory rename is durable only once both parents are flushed", () => {
    const memory = makeMemoryFileSystem({ seed: { "/r/a/f": file("x"), "/r/b": { kind: "directory" } } });
    run(memory.service.rename("/r/a/f", "/r/b/f"));
    run(memory.service.fsyncDirectory("/r/b"));
    expect(memory.snapshotAfterCrash(0, { under: "/r" })).toEqual({ a: { kind: "directory" }, "a/f": file("x"), b: { kind: "directory" } });
    run(memory.service.fsyncDirectory("/r/a"));
    expect(memory.snapshotAfterCrash(0, { under: "/r" })).toEqual({ a: { kind: "directory" }, b: { kind: "directory" }, "b/f": file("x") });
  });

  it("a new file in a new directory needs the new directory's parent flushed too", () => {
    const memory = makeMemoryFileSystem({ seed: { "/r": { kind: "directory" } } });
    run(memory.service.makeDirectory("/r/d"));
    run(memory.service.writeNewFile("/r/d/f", bytes("x")));
    run(memory.service.fsync("/r/d/f"));
    run(memory.service.fsyncDirectory("/r/d"));
    expect(memory.snapshotAfterCrash(0, { under: "/r" })).toEqual({});
    run(memory.service.fsyncDirectory("/r"));
    expect(memory.snapshotAfterCrash(0, { under: "/r" })).toEqual({ d: { kind: "directory" }, "d/f": file("x") });
  });

  it("setModifiedTime is durable by flushing the node or its directory", () => {
    const memory = makeMemoryFileSystem({ seed: { "/r/f": { kind: "file", content: "", mtimeMs: 1 }, "/r/l": { kind: "symlink", target: "f", mtimeMs: 1 } } });
    run(memory.service.setModifiedTime("/r/f", 5000));
    run(memory.service.setModifiedTime("/r/l", 6000));
    run(memory.service.fsync("/r/f"));
    expect(memory.snapshotAfterCrash(0, { under: "/r", mtimes: true })).toEqual({
      f: { kind: "file", content: "", mtimeMs: 5000 },
      l: { kind: "symlink", target: "f", mtimeMs: 1 },
    });
    run(memory.service.fsyncDirectory("/r"));
    expect(memory.snapshotAfterCrash(0, { under: "/r", mtimes: true })).toMatchObject({ l: { mtimeMs: 6000 } });
  });
});

describe("MemoryFileSystem fault injection", () => {
  const seed: Tree = { "/r/old": file("o"), "/r/link": link("old"), "/r/empty": { kind: "directory" } };
  /** One of each mutating operation, each of which succeeds when nothing is injected. */
  const steps: ReadonlyArray<Step> = [
    (fs) => fs.writeNewFile("/r/new", bytes("n")),
    (fs) => fs.fsync("/r/new"),
    (fs) => fs.makeDirectory("/r/d/e"),
    (fs) => fs.fsyncDirectory("/r"),
    (fs) => fs.symlink("new", "/r/link.tmp"),
    (fs) => fs.rename("/r/link.tmp", "/r/link"),
    (fs) => fs.setModifiedTime("/r/link", 1234),
    (fs) => fs.remove("/r/old"),
    (fs) => fs.removeDirectory("/r/empty"),
  ];

  it("failAt(k) fails exactly the k-th mutating operation, with no effect on the live or the durable tree", () => {
    for (let k = 1; k <= steps.length; k++) {
      const memory = makeMemoryFileSystem({ seed });
      memory.failAt(k);
      steps.forEach((step, index) => {
        const before = [memory.snapshot({ mtimes: true }), memory.snapshotAfterCrash(0, { mtimes: true })];
        const result = attempt(step(memory.service));
        if (index + 1 === k) {
          expect(Either.isLeft(result) && result.left.reason).toBe("Injected");
          expect([memory.snapshot({ mtimes: true }), memory.snapshotAfterCrash(0, { mtimes: true })]).toEqual(before);
        } else if (index + 1 < k) {
          expect(Either.isRight(result)).toBe(true);
        }
      });
      expect(memory.mutationCount()).toBe(steps.length);
      expect(memory.log().filter((entry) => entry.error !== null)[0]).toMatchObject({ n: k, error: "Injected" });
    }
  });

  it("failAt counts from the call and takes a reason", () => {
    const memory = makeMemoryFileSystem({ seed });
    run(memory.service.fsyncDirectory("/r"));
    memory.failAt(2, "NoSpace");
    run(memory.service.writeNewFile("/r/a", bytes("")));
    const failed = attempt(memory.service.rename("/r/a", "/r/b"));
    expect(Either.isLeft(failed) && failed.left).toMatchObject({
      reason: "NoSpace",
      op: "rename",
      path: "/r/a",
      message: "cannot rename /r/a to /r/b: no space left on device",
    });
    expect(memory.log().map((entry) => [entry.n, entry.op, entry.error])).toEqual([
      [1, "fsyncDirectory", null],
      [2, "writeNewFile", null],
      [3, "rename", "NoSpace"],
    ]);
  });

  it("failWhen fails every matching operation until clearFaults", () => {
    const memory = makeMemoryFileSystem({ seed });
    memory.failWhen((op, _path, to) => op === "rename" && to === "/r/link");
    run(memory.service.symlink("new", "/r/link.tmp"));
    expect(Either.isLeft(attempt(memory.service.rename("/r/link.tmp", "/r/link")))).toBe(true);
    run(memory.service.rename("/r/link.tmp", "/r/other"));
    memory.clearFaults();
    run(memory.service.rename("/r/other", "/r/link"));
    expect(memory.snapshot({ under: "/r" })).toMatchObject({ link: link("new") });
  });

  it("an injected fsync failure makes nothing durable", () => {
    const memory = makeMemoryFileSystem({ seed });
    run(memory.service.writeNewFile("/r/a", bytes("a")));
    memory.failAt(1);
    expect(Either.isLeft(attempt(memory.service.fsync("/r/a")))).toBe(true);
    run(memory.service.fsyncDirectory("/r"));
    memory.crash();
    expect(memory.snapshot({ under: "/r" })).toMatchObject({ a: file("") });
  });
});

// ---------------------------------------------------------------------------------------------
// Laws, for random operation sequences under /r.

type Op =
  | { readonly op: "writeNewFile"; readonly path: string; readonly content: string }
  | { readonly op: "symlink"; readonly target: string; readonly path: string }
  | { readonly op: "rename"; readonly from: string; readonly to: string }
  | { readonly op: "remove" | "makeDirectory" | "removeDirectory" | "setModifiedTime" | "fsync" | "fsyncDirectory"; readonly path: string };

const ROOT = "/r";
const lawSeed: Tree = { "/r/a": file("seed"), "/r/b": { kind: "directory" }, "/r/b/c": link("../a") };
const names = fc.constantFrom("a", "b", "c");
const pathOf = (depth: number) => fc.array(names, { minLength: 1, maxLength: depth }).map((parts) => `${ROOT}/${parts.join("/")}`);

const opsArbitrary = (options: { readonly syncs: boolean; readonly mkdirDepth: number }): fc.Arbitrary<Array<Op>> => {
  const path = pathOf(2);
  const ops: Array<fc.Arbitrary<Op>> = [
    fc.record({ op: fc.constant("writeNewFile" as const), path, content: fc.constantFrom("", "x", "yy") }),
    fc.record({ op: fc.constant("symlink" as const), target: fc.constantFrom("a", "b", "../a", "/r/b", "nowhere"), path }),
    fc.record({ op: fc.constant("rename" as const), from: path, to: path }),
    fc.record({ op: fc.constant("makeDirectory" as const), path: pathOf(options.mkdirDepth) }),
    fc.record({ op: fc.constantFrom("remove" as const, "removeDirectory" as const, "setModifiedTime" as const), path }),
  ];
  if (options.syncs) ops.push(fc.record({ op: fc.constantFrom("fsync" as const, "fsyncDirectory" as const), path }));
  return fc.array(fc.oneof(...ops), { maxLength: 20 });
};

const perform = (fs: FileSystemService, op: Op): boolean => {
  switch (op.op) {
    case "writeNewFile":
      return Either.isRight(attempt(fs.writeNewFile(op.path, bytes(op.content))));
    case "symlink":
      return Either.isRight(attempt(fs.symlink(op.target, op.path)));
    case "rename":
      return Either.isRight(attempt(fs.rename(op.from, op.to)));
    case "setModifiedTime":
      return Either.isRight(attempt(fs.setModifiedTime(op.path, 42_000)));
    default:
      return Either.isRight(attempt(fs[op.op](op.path)));
  }
};

/** The fsyncs that make `op` durable: its file, and the real parent directories, resolved before it runs. */
const makeDurable = (fs: FileSystemService, op: Op): (() => void) => {
  const lexicalParents = op.op === "rename" ? [op.from, op.to].map(posix.dirname) : [posix.dirname(op.path)];
  const parents = lexicalParents.flatMap((parent) => Either.getOrElse(Either.map(attempt(fs.realPath(parent)), (p) => [p]), () => []));
  return () => {
    if (op.op === "writeNewFile") attempt(fs.fsync(op.path));
    for (const parent of parents) attempt(fs.fsyncDirectory(parent));
  };
};

const view = (memory: MemoryFileSystem): Tree => memory.snapshot({ under: ROOT, mtimes: true });

describe("MemoryFileSystem laws", () => {
  it("a crash keeping every pending change leaves the live tree, all of it durable", () => {
    fc.assert(
      fc.property(opsArbitrary({ syncs: true, mkdirDepth: 3 }), (ops) => {
        const memory = makeMemoryFileSystem({ seed: lawSeed });
        for (const op of ops) perform(memory.service, op);
        const live = view(memory);
        memory.crash((pending) => pending);
        expect(view(memory)).toEqual(live);
        expect(memory.pendingCount()).toBe(0);
        expect(memory.snapshotAfterCrash(0, { under: ROOT, mtimes: true })).toEqual(live);
      }),
    );
  });

  it("snapshotAfterCrash(k) is the tree crashKeepingPrefix(k) leaves, and the file system works on from it", () => {
    fc.assert(
      fc.property(opsArbitrary({ syncs: true, mkdirDepth: 3 }), fc.nat(), opsArbitrary({ syncs: true, mkdirDepth: 3 }), (ops, k, after) => {
        const memory = makeMemoryFileSystem({ seed: lawSeed });
        for (const op of ops) perform(memory.service, op);
        const keep = k % (memory.pendingCount() + 1);
        const predicted = memory.snapshotAfterCrash(keep, { under: ROOT, mtimes: true });
        memory.crashKeepingPrefix(keep);
        expect(view(memory)).toEqual(predicted);
        // After the crash, the same operations do on it what they do on a fresh file system seeded with it.
        const reference = makeMemoryFileSystem({ seed: memory.snapshot({ mtimes: true }) });
        const outcomes = after.map((op) => perform(memory.service, op));
        expect(after.map((op) => perform(reference.service, op))).toEqual(outcomes);
        expect(memory.snapshot({ under: ROOT })).toEqual(reference.snapshot({ under: ROOT }));
      }),
    );
  });

  it("without any fsync, a crash keeping nothing restores the seeded tree", () => {
    fc.assert(
      fc.property(opsArbitrary({ syncs: false, mkdirDepth: 3 }), (ops) => {
        const memory = makeMemoryFileSystem({ seed: lawSeed });
        const seeded = view(memory);
        for (const op of ops) perform(memory.service, op);
        memory.crash();
        expect(view(memory)).toEqual(seeded);
      }),
    );
  });

  it("when every operation is made durable right after it, every crash state is a state the live view passed through", () => {
    // Operations here create at most one directory entry each (makeDirectory one level), so that
    // "the state before or after the operation in progress" is exactly what a crash may leave.
    fc.assert(
      fc.property(opsArbitrary({ syncs: false, mkdirDepth: 1 }), fc.nat(), fc.nat(), (ops, cut, k) => {
        const memory = makeMemoryFileSystem({ seed: lawSeed });
        const passedThrough: Array<Tree> = [view(memory)];
        // Each operation, then the fsyncs that make it durable (its parents resolved before it ran).
        const schedule: Array<() => void> = [];
        for (const op of ops) {
          let durable: () => void = () => {};
          schedule.push(() => {
            durable = makeDurable(memory.service, op);
            perform(memory.service, op);
            passedThrough.push(view(memory));
          });
          schedule.push(() => durable());
        }
        const stop = cut % (schedule.length + 1);
        schedule.slice(0, stop).forEach((call) => call());
        const keep = k % (memory.pendingCount() + 1);
        memory.crashKeepingPrefix(keep);
        const last = passedThrough.length - 1;
        // Crashing between an operation and its fsyncs leaves the state before or after it.
        const allowed = stop % 2 === 1 ? [passedThrough[last - 1], passedThrough[last]] : [passedThrough[last]];
        expect(allowed).toContainEqual(view(memory));
      }),
      { numRuns: 300 },
    );
  });
});

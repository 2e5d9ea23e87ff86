/**
 * The law of state that rolls back, on whole transitions (observe → Transition → Apply, and
 * Recover, as the CLI runs them) over the in-memory machine with archives made and opened on the
 * in-memory disk: switching A → B → A with `restore: on-rollback` returns A's data directory byte
 * for byte, whatever it holds and whatever B wrote there; and a crash at any file-system
 * operation of the B → A transition, followed by `recover`, leaves B's data (reverted) or A's
 * (finished), whole, never a mix and never a missing directory, with nothing left beside it.
 */
import { Effect, Exit } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Recover from "../../../packages/interpreter/src/state/Recover.js";
import * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";
import * as ServiceRevision from "../../../packages/model/src/services/ServiceRevision.js";
import { apply, MEMORY_ROOT, memoryMachine, planOrThrow, switchTo, systemOf } from "../../support/machine.js";
import type { Tree, TreeEntry } from "../../../packages/interpreter/src/memory/MemoryFileSystem.js";

const DATA = "/var/lib/blog";
const HOST = `${MEMORY_ROOT}${DATA}`;

const blog = (version: string, epoch: unknown): ServiceRecord.ServiceRecordInput =>
  ({ name: "blog", start: ["bin/blog"], env: { VERSION: version }, state: { paths: [DATA], epoch, restore: "on-rollback" } }) as unknown as ServiceRecord.ServiceRecordInput;

/** A data directory: some (possibly empty) subdirectories, files of any bytes in them, maybe a link. */
const contents: fc.Arbitrary<Tree> = fc
  .record({
    dirs: fc.subarray(["uploads", "uploads/2026", "cache"]),
    files: fc.uniqueArray(fc.tuple(fc.constantFrom("", "uploads/", "uploads/2026/", "cache/"), fc.stringMatching(/^[a-z0-9]{1,6}\.(db|png|txt)$/), fc.uint8Array({ maxLength: 48 })), {
      selector: ([dir, name]) => dir + name,
      maxLength: 7,
    }),
    link: fc.option(fc.constantFrom("uploads", "../elsewhere", "blog.db"), { nil: undefined }),
  })
  .map(({ dirs, files, link }) => {
    const tree: Record<string, TreeEntry> = {};
    for (const d of dirs) tree[d] = { kind: "directory" };
    for (const [dir, name, bytes] of files) tree[`${dir}${name}`] = { kind: "file", content: bytes };
    if (link !== undefined) tree["current"] = { kind: "symlink", target: link };
    return tree;
  });

/** Generation 1 (epoch 1) runs `blog` on data `a` (or has it stopped); generation 2 reads it (epoch as given). */
const machineWith = (a: Tree, epochB: unknown, up = true) => {
  const one = blog("1", "1");
  const running = { generation: 1, system: systemOf(1), revision: ServiceRevision.of(systemOf(1), ServiceRecord.normalise(one)) };
  const m = memoryMachine({ generations: [{ number: 1, services: [one] }, { number: 2, services: [blog("2", epochB)] }], current: 1, runningServices: up ? [["blog", running]] : [], tar: true });
  m.fs.seed({ [`${HOST}`]: { kind: "directory" }, ...Object.fromEntries(Object.entries(a).map(([p, e]) => [`${HOST}/${p}`, e])) });
  return m;
};
const data = (m: ReturnType<typeof machineWith>) => m.fs.snapshot({ under: HOST });

/** What generation 2 does to the data: rewrites files, adds new ones. */
const rewrite = (m: ReturnType<typeof machineWith>, b: Tree) => {
  for (const [p, e] of Object.entries(data(m))) if (e.kind === "file") m.fs.overwrite(`${HOST}/${p}`, `rewritten by 2: ${p}`);
  m.fs.seed(Object.fromEntries(Object.entries(b).map(([p, e]) => [`${HOST}/b2/${p}`, e])));
};

/** Nothing beside the data directory: no moved-aside or half-unpacked sibling. */
const siblings = (m: ReturnType<typeof machineWith>) =>
  Object.keys(m.fs.snapshot({ under: `${MEMORY_ROOT}/var/lib` })).filter((p) => !p.includes("/") && p !== "switchyard");

const epochs = fc.constantFrom<unknown>("1", "2*", { read: [1, 2], write: [1] });

describe("state that rolls back, on whole transitions", () => {
  it("switch A → B → A with restore: on-rollback returns A's data byte for byte", async () => {
    await fc.assert(
      fc.asyncProperty(contents, contents, epochs, async (a, b, epochB) => {
        const m = machineWith(a, epochB);
        const before = data(m);
        await switchTo(m, 2);
        // B could read A's data: it is kept as it was.
        expect(data(m)).toEqual(before);
        rewrite(m, b);
        await switchTo(m, 1);
        expect(data(m)).toEqual(before);
        expect(siblings(m)).toEqual(["blog"]);
      }),
      { numRuns: 20 },
    );
  });

  // Nothing of the old revision runs to stop, but another revision is about to run on the data: it is kept first.
  it("switch A → B → A returns A's data when A's service was not running", async () => {
    const a: Tree = { "blog.db": { kind: "file", content: "rows of 1" } };
    const m = machineWith(a, "2*", false);
    await switchTo(m, 2);
    rewrite(m, {});
    await switchTo(m, 1);
    expect(data(m)).toEqual(a);
  });

  it("a crash at every operation of B → A, then recover, leaves B's data or A's, whole, and nothing beside it", async () => {
    const a: Tree = { "blog.db": { kind: "file", content: "rows of 1" }, uploads: { kind: "directory" }, "uploads/a.png": { kind: "file", content: new Uint8Array([0, 255, 1]) } };
    const b: Tree = { "c.txt": { kind: "file", content: "new in 2" } };
    // The machines are alike and the clock fixed, so the two plans are computed once and reused.
    const first = machineWith(a, "1");
    const up = await planOrThrow(first, { _tag: "Switch", spec: "2" });
    const prepared = async () => {
      const m = machineWith(a, "1");
      const v1 = data(m);
      expect(Exit.isSuccess(await apply(m, up))).toBe(true);
      rewrite(m, b);
      m.fs.syncAll();
      return { m, v1, v2: data(m) };
    };
    const clean = await prepared();
    const back = await planOrThrow(clean.m, { _tag: "Switch", spec: "1" });
    const start = clean.m.fs.mutationCount();
    expect(Exit.isSuccess(await apply(clean.m, back))).toBe(true);
    const total = clean.m.fs.mutationCount() - start;
    expect(data(clean.m)).toEqual(clean.v1);
    expect(total).toBeGreaterThan(20);

    const outcomes = new Set<string>();
    for (let k = 1; k <= total; k++) {
      const { m, v1, v2 } = await prepared();
      let seen = 0;
      // A dead process: the k-th mutation and every one after it fail; then power is lost, keeping
      // none of the changes not yet made durable or (every other point) all of them.
      m.fs.failWhen(() => ++seen >= k);
      await apply(m, back);
      m.fs.clearFaults();
      m.fs.crash((pending) => (k % 2 === 0 ? pending : 0));
      const report = await Effect.runPromise(Recover.recover({ root: m.root, settings: m.settings, command: "recover" }).pipe(Effect.provide(m.layer)));
      const label = `crash at ${k} of ${total}: recover ${report.action}`;
      const now = data(m);
      expect(Object.keys(m.fs.snapshot({ under: `${MEMORY_ROOT}/var/lib` })), label).toContain("blog");
      // "nothing": the crash came before the journal existed (B's data untouched) or after its removal (A's).
      if (report.action === "reverted") expect(now, label).toEqual(v2);
      else if (report.action === "finished") expect(now, label).toEqual(v1);
      else expect([v1, v2], label).toContainEqual(now);
      expect(siblings(m), label).toEqual(["blog"]);
      outcomes.add(report.action);
    }
    expect([...outcomes].sort()).toEqual(expect.arrayContaining(["finished", "reverted"]));
  });
});

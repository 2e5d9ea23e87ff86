/**
 * The generations index is a cache that is never trusted past its validators: whatever another
 * tool does to the profile between two commands — add, remove or retarget a link (as nix-env
 * does), point the profile elsewhere, churn a lock file in the profile directory, rewrite a manifest
 * in place or replace it, garbage-collect or build a system directory, corrupt or remove the index
 * — the next observation is exactly what an observation without any index sees. The clock is
 * driven so that changes often share a timestamp (the racy case), timestamps are sometimes whole
 * seconds (a coarse file system), and the clock sometimes steps back (then only the validators
 * themselves, not the timestamps' age, tell a change). Then the same on a real directory, for the changes that
 * only the real layer can make (a write in place keeps the inode).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Effect, Exit, Layer } from "effect";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { makeMemoryFileSystem, type MemoryFileSystem } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import { NodeClockLive } from "../../packages/interpreter/src/node/NodeClock.js";
import { NodeFileSystemLive } from "../../packages/interpreter/src/node/NodeFileSystem.js";
import * as ColumnsFile from "../../packages/interpreter/src/observe/ColumnsFile.js";
import * as Generations from "../../packages/interpreter/src/observe/Generations.js";
import * as IndexFile from "../../packages/interpreter/src/observe/IndexFile.js";
import * as Observe from "../../packages/interpreter/src/observe/Observe.js";
import { Clock } from "../../packages/interpreter/src/ports/Clock.js";
import { FileSystem } from "../../packages/interpreter/src/ports/FileSystem.js";
import { NodeProcessRunnerLive } from "../../packages/interpreter/src/node/NodeProcessRunner.js";
import * as ConfinedPorts from "../../packages/interpreter/src/root/ConfinedPorts.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";
import * as Settings from "../../packages/model/src/world/Settings.js";

const ROOT = "/r";
const root = Root.make(ROOT);
const settings = Settings.defaults;
const PROFILES = `${ROOT}/var/lib/switchyard/profiles`;
const INDEX = Root.host(root, IndexFile.PATH);
const COLUMNS = Root.host(root, IndexFile.COLUMNS_PATH);
const systemOf = (k: number) => `/store/${"abcdefghijklmnopqrstuvwxyz012345".slice(k)}${k}-system-${k}`;
const manifestOf = (k: number, label: string) => JSON.stringify({ schema: 1, label, boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] } });

type Headers = "all" | "onDemand";

/**
 * What a command sees of the profile, in full: links, headers, the whole manifests, or the error.
 * `all`: as `list` observes (every manifest checked at once); `onDemand`: as the other commands do
 * (a recorded header checked where it is read, which here is every one, after the observation).
 */
const seen = (layer: Layer.Layer<FileSystem | Clock>, headers: Headers) =>
  Effect.runPromiseExit((headers === "all" ? Observe.listing(root, settings) : Observe.generations(root, settings, "onDemand")).pipe(Effect.provide(layer))).then((exit) =>
    Exit.match(exit, {
      onFailure: (cause) => ({ failed: String(cause) }),
      onSuccess: (l) => ({
        profileTarget: l.profileTarget,
        current: l.current,
        generations: l.generations.map((g) => ({
          number: g.number,
          system: g.system,
          createdMs: g.createdMs,
          header: g.header._tag === "Valid" ? { label: g.header.header.label, boot: g.header.header.boot, activate: g.header.header.activate } : g.header,
          manifest: g.manifest,
        })),
      }),
    }),
  );

type Op =
  | { readonly op: "observe"; readonly headers: Headers }
  | { readonly op: "advance"; readonly ms: number }
  | { readonly op: "addLink" | "retarget"; readonly n: number; readonly k: number }
  | { readonly op: "removeLink" | "setProfile"; readonly n: number }
  | { readonly op: "rewriteManifest" | "replaceManifest"; readonly k: number; readonly label: string }
  | { readonly op: "breakManifest" | "removeSystem" | "createSystem"; readonly k: number }
  | { readonly op: "lockFile" | "corruptIndex" | "removeIndex" | "corruptColumns" | "removeColumns" | "staleColumns" };

const n = fc.integer({ min: 1, max: 5 });
const k = fc.integer({ min: 1, max: 4 });
const label = fc.constantFrom("A", "B", "Example OS", "Ünïcode ✓");
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant("observe" as const), headers: fc.constantFrom<Headers>("all", "onDemand") }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.constantFrom(0, 1, 40, 150, 1000, 3000, 10_000, -5000) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("addLink" as const, "retarget" as const), n, k }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("removeLink" as const, "setProfile" as const), n }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("rewriteManifest" as const, "replaceManifest" as const), k, label }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("breakManifest" as const, "removeSystem" as const, "createSystem" as const), k }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constantFrom("lockFile" as const, "corruptIndex" as const, "removeIndex" as const, "corruptColumns" as const, "removeColumns" as const, "staleColumns" as const),
    }),
  },
);

/** Another tool, acting on the in-memory disk directly (through the port, or in place). */
const act = async (memory: MemoryFileSystem, op: Exclude<Op, { op: "observe" | "advance" }>): Promise<void> => {
  const fs = memory.service;
  const quietly = (e: Effect.Effect<unknown, unknown>) => Effect.runPromise(Effect.ignore(e));
  const link = (i: number) => `${PROFILES}/system-${i}-link`;
  const manifest = (i: number) => `${ROOT}${systemOf(i)}/manifest.json`;
  switch (op.op) {
    case "addLink":
      return quietly(fs.symlink(systemOf(op.k), link(op.n)));
    case "retarget":
      return quietly(Effect.zipRight(fs.symlink(systemOf(op.k), `${link(op.n)}.tmp`), fs.rename(`${link(op.n)}.tmp`, link(op.n))));
    case "removeLink":
      return quietly(fs.remove(link(op.n)));
    case "setProfile":
      return quietly(Effect.zipRight(fs.symlink(`system-${op.n}-link`, `${PROFILES}/system.tmp`), fs.rename(`${PROFILES}/system.tmp`, `${PROFILES}/system`)));
    case "rewriteManifest":
      try {
        memory.overwrite(manifest(op.k), manifestOf(op.k, op.label));
      } catch {
        // No such system directory now.
      }
      return;
    case "breakManifest":
      try {
        memory.overwrite(manifest(op.k), "{");
      } catch {
        // No such system directory now.
      }
      return;
    case "replaceManifest":
      return quietly(
        Effect.zipRight(fs.writeNewFile(`${manifest(op.k)}.new`, new TextEncoder().encode(manifestOf(op.k, op.label))), fs.rename(`${manifest(op.k)}.new`, manifest(op.k))),
      );
    case "removeSystem":
      return quietly(Effect.zipRight(fs.remove(manifest(op.k)), fs.removeDirectory(`${ROOT}${systemOf(op.k)}`)));
    case "createSystem":
      return quietly(
        Effect.zipRight(fs.makeDirectory(`${ROOT}${systemOf(op.k)}`), fs.writeNewFile(manifest(op.k), new TextEncoder().encode(manifestOf(op.k, "new")))),
      );
    case "lockFile":
      return quietly(Effect.zipRight(fs.writeNewFile(`${PROFILES}/system.lock`, new Uint8Array()), fs.remove(`${PROFILES}/system.lock`)));
    case "corruptIndex":
      try {
        memory.overwrite(INDEX, '{"format":"switchyard-generations-index","version":1,"entries":[[1,');
      } catch {
        // No index yet.
      }
      return;
    case "removeIndex":
      return quietly(fs.remove(INDEX));
    case "corruptColumns":
      try {
        memory.overwrite(COLUMNS, '{"head":{"format":"switchyard-generations-index-columns","version":3,"id":');
      } catch {
        // No columns yet.
      }
      return;
    case "removeColumns":
      return quietly(fs.remove(COLUMNS));
    case "staleColumns":
      // The columns as a crash between the two writes leaves them: another observation's, under its own id.
      try {
        const columns = ColumnsFile.decode(await Effect.runPromise(fs.readFile(COLUMNS)));
        const other = columns === null ? null : ColumnsFile.encode({ ...columns, head: { ...(columns.head as object), id: `${(columns.head as { id: string }).id}-other` } });
        if (other !== null) memory.overwrite(COLUMNS, other);
      } catch {
        // No columns yet.
      }
      return;
  }
};

describe("the generations index", () => {
  it("never changes what a command sees, whatever another tool did to the profile, however close in time, whether it checks every manifest at once or each where it reads it", async () => {
    let indexUsed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 5, maxLength: 60 }), fc.constantFrom(0, 123), async (ops, offset) => {
        let t = Date.UTC(2026, 0, 1) + offset;
        const memory = makeMemoryFileSystem({ now: () => t });
        const clock = Layer.succeed(Clock, { nowMs: Effect.sync(() => t), utcOffsetMinutes: () => 0 });
        const seed: Record<string, { kind: "file"; content: string } | { kind: "symlink"; target: string; mtimeMs: number }> = {};
        for (const i of [1, 2, 3]) {
          seed[`${ROOT}${systemOf(i)}/manifest.json`] = { kind: "file", content: manifestOf(i, `first ${i}`) };
          seed[`${PROFILES}/system-${i}-link`] = { kind: "symlink", target: systemOf(i), mtimeMs: t - (4 - i) * 86_400_000 };
        }
        seed[`${PROFILES}/system`] = { kind: "symlink", target: "system-3-link", mtimeMs: t };
        memory.seed(seed);
        const layer = Layer.merge(memory.layer, clock);
        // The latest clock reading an observation was made at: the index may record anything up to it.
        let observedAt = -Infinity;
        for (const op of [...ops, { op: "observe" as const, headers: "all" as const }]) {
          if (op.op === "advance") t += op.ms;
          // A change made while the clock reads earlier than that can land on a recorded timestamp
          // and go unseen: outside what the index promises (on-disk-format.md), so not made here.
          // Observations with the clock stepped back are still made, and changes once it is past again.
          else if (op.op !== "observe") {
            if (t >= observedAt) await act(memory, op);
          } else {
            observedAt = Math.max(observedAt, t);
            const hadIndex = Object.keys(memory.snapshot({ under: `${ROOT}/var/lib/switchyard` })).includes(IndexFile.NAME);
            const withIndex = await seen(layer, op.headers);
            // The reference: the same tree without any index, observed by a fresh disk.
            const tree = memory.snapshot({ mtimes: true });
            delete (tree as Record<string, unknown>)[INDEX];
            delete (tree as Record<string, unknown>)[COLUMNS];
            const reference = makeMemoryFileSystem({ seed: tree, now: () => t });
            expect(withIndex).toEqual(await seen(Layer.merge(reference.layer, clock), op.headers));
            if (hadIndex && !("failed" in withIndex)) indexUsed++;
          }
        }
      }),
      {
        numRuns: 250,
        examples: [
          // A header recorded before its manifest's ctime settled, rewritten within that tick (same
          // inode, size and ctime), then an index written again by a command that never read it:
          // the record must not come back trusted under the later index.
          [
            [
              { op: "advance", ms: 1000 },
              { op: "observe", headers: "all" },
              { op: "rewriteManifest", k: 1, label: "A" },
              { op: "observe", headers: "all" },
              { op: "rewriteManifest", k: 1, label: "B" },
              { op: "lockFile" },
              { op: "advance", ms: 1000 },
              { op: "observe", headers: "onDemand" },
              { op: "advance", ms: 1000 },
            ],
            123,
          ],
        ],
      },
    );
    // The property would hold vacuously if no index were ever written and read.
    expect(indexUsed).toBeGreaterThan(125);
  });
});

describe("the generations index on a real directory", () => {
  const dirs: Array<string> = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 250));
  /** A real root of three generations labelled "first N", the third current. */
  const threeGenerations = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-index-"));
    dirs.push(dir);
    const profiles = path.join(dir, "var/lib/switchyard/profiles");
    fs.mkdirSync(profiles, { recursive: true });
    for (const i of [1, 2, 3]) {
      fs.mkdirSync(path.join(dir, systemOf(i)), { recursive: true });
      fs.writeFileSync(path.join(dir, systemOf(i), "manifest.json"), manifestOf(i, `first ${i}`));
      fs.symlinkSync(systemOf(i), path.join(profiles, `system-${i}-link`));
    }
    fs.symlinkSync("system-3-link", path.join(profiles, "system"));
    return { dir, real: Root.make(dir), profiles };
  };

  it("sees a manifest written in place, a retargeted link and a removed link, once the index is trusted", async () => {
    const { dir, real, profiles } = threeGenerations();
    const layer = Layer.merge(NodeFileSystemLive, NodeClockLive);
    const look = () => Effect.runPromise(Observe.listing(real, settings).pipe(Effect.provide(layer)));
    const labels = async () => (await look()).generations.map((g) => [g.number, g.system, g.header._tag === "Valid" ? g.header.header.label : "invalid"]);
    await settle();
    await look();
    expect(fs.existsSync(path.join(dir, IndexFile.PATH)), "a settled observation writes the index").toBe(true);
    await settle();
    expect(await labels()).toEqual([
      [1, systemOf(1), "first 1"],
      [2, systemOf(2), "first 2"],
      [3, systemOf(3), "first 3"],
    ]);

    // In place: same inode, so only its ctime (and size) tell.
    const inode = fs.statSync(path.join(dir, systemOf(2), "manifest.json")).ino;
    fs.writeFileSync(path.join(dir, systemOf(2), "manifest.json"), manifestOf(2, "second 2"));
    expect(fs.statSync(path.join(dir, systemOf(2), "manifest.json")).ino).toBe(inode);
    expect((await labels())[1]).toEqual([2, systemOf(2), "second 2"]);

    await settle();
    await look();
    fs.symlinkSync(systemOf(3), path.join(profiles, "system-1-link.tmp"));
    fs.renameSync(path.join(profiles, "system-1-link.tmp"), path.join(profiles, "system-1-link"));
    fs.unlinkSync(path.join(profiles, "system-2-link"));
    expect(await labels()).toEqual([
      [1, systemOf(3), "first 3"],
      [3, systemOf(3), "first 3"],
    ]);
  });

  it("records a header a plan found changed where it read it, so that the next plan reads that manifest no more", async () => {
    const { dir, real, profiles } = threeGenerations();
    const live = Effect.runSync(Effect.provide(FileSystem, NodeFileSystemLive));
    const manifestsRead: Array<string> = [];
    const counting = Layer.succeed(FileSystem, {
      ...live,
      readFile: (p: string) => {
        if (p.endsWith("/manifest.json")) manifestsRead.push(p);
        return live.readFile(p);
      },
    });
    const layer = Layer.merge(counting, NodeClockLive);
    /** A plan's observation (each header checked where read), every header then read, as a plan's boot menu reads them. */
    const plan = async () => {
      manifestsRead.length = 0;
      const observed = await Effect.runPromise(Generations.observe(real, settings, "onDemand").pipe(Effect.provide(layer)));
      const labels = observed.generations.map((g) => (g.header._tag === "Valid" ? g.header.header.label : "invalid"));
      return { labels, read: manifestsRead.map((p) => path.basename(path.dirname(p))) };
    };
    await settle();
    await Effect.runPromise(Observe.listing(real, settings).pipe(Effect.provide(layer)));
    await settle();
    expect(await plan()).toEqual({ labels: ["first 1", "first 2", "first 3"], read: [] });
    // One rewritten in place, one replaced (another inode): both under the recorded headers.
    fs.writeFileSync(path.join(dir, systemOf(2), "manifest.json"), manifestOf(2, "second 2"));
    fs.writeFileSync(path.join(dir, systemOf(3), "manifest.json.new"), manifestOf(3, "second 3"));
    fs.renameSync(path.join(dir, systemOf(3), "manifest.json.new"), path.join(dir, systemOf(3), "manifest.json"));
    await settle();
    const first = await plan();
    expect(first.labels).toEqual(["first 1", "second 2", "second 3"]);
    expect(first.read.sort()).toEqual([path.basename(systemOf(2)), path.basename(systemOf(3))]);
    // Recorded where they were read: the next plan trusts them.
    expect(await plan()).toEqual({ labels: ["first 1", "second 2", "second 3"], read: [] });
  });

  it("confined as every command runs, sees a system directory moved out of the root and replaced by a link to it", async () => {
    // The index vouches for a system directory only while its parent is unchanged; then the
    // manifest is looked at through it without an lstat of its own. Here the parent changed.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-index-"));
    dirs.push(dir);
    const top = path.join(dir, "root");
    const real = Root.make(top);
    const profiles = path.join(top, "var/lib/switchyard/profiles");
    fs.mkdirSync(profiles, { recursive: true });
    for (const i of [1, 2]) {
      fs.mkdirSync(path.join(top, systemOf(i)), { recursive: true });
      fs.writeFileSync(path.join(top, systemOf(i), "manifest.json"), manifestOf(i, `first ${i}`));
      fs.symlinkSync(systemOf(i), path.join(profiles, `system-${i}-link`));
    }
    fs.symlinkSync("system-2-link", path.join(profiles, "system"));
    const confined = Layer.merge(ConfinedPorts.layer(real).pipe(Layer.provide(Layer.merge(NodeFileSystemLive, NodeProcessRunnerLive))), NodeClockLive);
    const look = () => Effect.runPromiseExit(Observe.listing(real, settings).pipe(Effect.provide(confined)));
    await settle();
    await look();
    await settle();
    expect(Exit.isSuccess(await look()), "trusted index").toBe(true);
    fs.renameSync(path.join(top, systemOf(1)), path.join(dir, "moved"));
    fs.symlinkSync(path.join(dir, "moved"), path.join(top, systemOf(1)));
    const withIndex = await look();
    fs.rmSync(path.join(top, IndexFile.PATH));
    const without = await look();
    expect(String(withIndex)).toMatch(/outside the root/);
    expect(String(withIndex)).toBe(String(without));
  });
});

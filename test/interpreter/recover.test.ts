/**
 * `Recover.recover` and the apply journal, by example: a crash at each interesting point of a switch
 * (right after the journal is written, before Commit, after Commit, during a revert), journals that
 * cannot be decoded (refused, nothing touched), leftovers cleaned and reported, no journal, an apply
 * refused while a journal waits; then every crash point of a switch on the in-memory file system,
 * each recovered to exactly the old or exactly the new tree.
 *
 * Machines come from mbt/Real.ts: a memory machine whose clock ticks, so that every run
 * gets its own lock token, as separate CLI processes do.
 */
import { Effect, Either, Exit, Layer } from "effect";
import { describe, expect, it } from "vitest";
import type { LogEntry, Tree, TreeEntry } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as Apply from "../../packages/interpreter/src/apply/Apply.js";
import type { ApplyOutcome } from "../../packages/interpreter/src/Errors.js";
import type { Clock } from "../../packages/interpreter/src/ports/Clock.js";
import { FileSystem, type FileSystemService } from "../../packages/interpreter/src/ports/FileSystem.js";
import type { ProcessRunner } from "../../packages/interpreter/src/ports/ProcessRunner.js";
import type { ServiceManager } from "../../packages/interpreter/src/ports/ServiceManager.js";
import * as Recover from "../../packages/interpreter/src/state/Recover.js";
import * as Plan from "../../packages/model/src/plan/Plan.js";
import type * as Request from "../../packages/model/src/plan/Request.js";
import * as World from "../../packages/model/src/world/World.js";
import { MEMORY_ROOT, apply, memoryMachine, planOrThrow, switchTo, systemOf, type MachineSpec } from "../support/machine.js";
import { Real, failureOf, squash } from "./mbt/Real.js";

const STATE = `${MEMORY_ROOT}${World.Paths.stateDir}`;
const JOURNAL = `${STATE}/journal`;
const bytes = (text: string) => new TextEncoder().encode(text);

/** Generations 1–3 with services (so a switch has steps before Commit), settled on 3. */
const machine = (settle = true) => Real.create({ numbers: [1, 2, 3], current: 3 }, settle);

const planOf = async (real: Real, operation: Request.Between = { _tag: "Switch", spec: "1" }, mode: Plan.Mode = "switch") => {
  const p = await real.plan({ operation, mode });
  if (Either.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

/** The mutating log of one apply, numbered from 1 (as a crash's k counts). */
const relativeLog = async (real: Real, plan: Plan.Plan): Promise<ReadonlyArray<LogEntry & { readonly k: number }>> => {
  const base = real.machine.fs.mutationCount();
  await real.apply(plan);
  return real.machine.fs.log().filter((e) => e.n > base).map((e) => ({ ...e, k: e.n - base }));
};

/** k of the directory fsync that made the n-th rename onto `to` durable (n from 0). */
const renameDurable = (log: ReadonlyArray<LogEntry & { readonly k: number }>, to: string, n = 0): number => {
  const rename = log.filter((e) => e.op === "rename" && e.to === to)[n];
  if (rename === undefined) throw new Error(`no rename ${n} onto ${to}`);
  const sync = log.find((e) => e.k > rename.k && e.op === "fsyncDirectory" && e.path === to.slice(0, to.lastIndexOf("/")));
  if (sync === undefined) throw new Error(`rename onto ${to} never synced`);
  return sync.k;
};

const CURRENT_SYSTEM = `${MEMORY_ROOT}${World.Paths.currentSystem}`;
const PROFILE = `${MEMORY_ROOT}${World.Paths.defaultProfile}`;
const PROGRESS = `${JOURNAL}/progress.json`;

/** k of the fsync that made the Commit step's journal record durable: the last progress record before the profile moves. */
const commitRecorded = (log: ReadonlyArray<LogEntry & { readonly k: number }>): number => {
  const profileMoved = log.find((e) => e.op === "rename" && e.to === PROFILE);
  const records = log.filter((e) => e.op === "rename" && e.to === PROGRESS && (profileMoved === undefined || e.k < profileMoved.k));
  if (records.length === 0) throw new Error("the Commit step was never recorded");
  return renameDurable(log, PROGRESS, records.length - 1);
};

/** k of the state-directory fsync that made the journal appear. */
const journalBegun = (log: ReadonlyArray<LogEntry & { readonly k: number }>): number => {
  const rename = log.find((e) => e.op === "rename" && e.to === JOURNAL);
  const sync = log.find((e) => rename !== undefined && e.k > rename.k && e.op === "fsyncDirectory" && e.path === STATE);
  if (sync === undefined) throw new Error("journal never begun");
  return sync.k;
};

/** Apply `plan` with every primitive from the k-th on failing (a dead process), then lose power keeping `keep` pending changes. */
const crashAt = async (real: Real, plan: Plan.Plan, k: number, keep: (pending: number) => number = () => 0) => {
  real.arm({ _tag: "Crash", k });
  const exit = await real.apply(plan);
  real.machine.fs.crash(keep);
  real.machine.fs.clearFaults();
  return exit;
};

/** Take away the lock the crashed process left (another command would take it over; lock.test.ts tests that). */
const dropDeadLock = (real: Real): void => {
  const fs = real.machine.fs.service;
  Effect.runSync(Effect.gen(function* () {
    yield* fs.remove(`${STATE}/lock`);
    yield* fs.fsyncDirectory(STATE);
  }));
};

/** The tree with the layout marker left out (the first apply writes it). */
const withoutMarker = (tree: Tree): Tree => Object.fromEntries(Object.entries(tree).filter(([p]) => p !== `${World.Paths.stateDir}/layout.v1`));

/** The same view as `machine.snapshot()`, of what would survive a power loss now. */
const durableSnapshot = (real: Real): Tree => {
  const out: Record<string, TreeEntry> = {};
  for (const [p, e] of Object.entries(real.machine.fs.snapshotAfterCrash(0, { under: MEMORY_ROOT, mtimes: true }))) {
    const path = `/${p}`;
    out[path] =
      e.kind === "file"
        ? { kind: "file", content: e.content }
        : e.kind === "directory"
          ? { kind: "directory" }
          : /-[0-9]+-link$/.test(path)
            ? { kind: "symlink", target: e.target, mtimeMs: e.mtimeMs }
            : { kind: "symlink", target: e.target };
  }
  return out;
};

/** Journal leftovers (`.journal-done-*`) may come back after a power loss; recover removes them. */
const withoutLeftovers = (tree: Tree): Tree => Object.fromEntries(Object.entries(tree).filter(([p]) => !/\/\.journal-(new|done)-/.test(p)));

describe("recover after a crash", () => {
  it("right after the journal was written (nothing done): reverted, the tree is the old one", async () => {
    const reference = await machine();
    const log = await relativeLog(reference, await planOf(reference));
    const real = await machine();
    const before = real.machine.snapshot();
    const plan = await planOf(real);
    await crashAt(real, plan, journalBegun(log) + 1);
    expect(real.journalPresent()).toBe(true);
    const report = squash(await real.recover());
    expect(report).toMatchObject({ action: "reverted", operation: plan.operation, from: 3, to: 1 });
    expect(report.reason).toMatch(/^the interrupted apply had not reached its commit point\b.*, so it was reverted$/);
    expect(real.machine.snapshot()).toEqual(before);
  });

  it("in the middle of the forward steps (the running system moved), before Commit: reverted, with the reason", async () => {
    const reference = await machine();
    const log = await relativeLog(reference, await planOf(reference));
    const real = await machine();
    const before = real.machine.snapshot();
    const plan = await planOf(real);
    expect(Plan.commitIndex(plan)).toBeGreaterThan(2);
    await crashAt(real, plan, renameDurable(log, CURRENT_SYSTEM) + 1);
    expect(real.machine.fs.snapshot()[CURRENT_SYSTEM]).toMatchObject({ target: systemOf(1) });
    const report = squash(await real.recover());
    expect(report).toMatchObject({ action: "reverted", from: 3, to: 1 });
    expect(report.reason).toMatch(/^the interrupted apply had not reached its commit point\b.*, so it was reverted$/);
    expect(real.machine.snapshot()).toEqual(before);
    expect(real.machine.activations.at(-1)).toBe(`revert ${systemOf(3)}`);
  });

  it("right after Commit was recorded: finished, with the reason, the tree is the new one", async () => {
    const reference = await machine();
    const log = await relativeLog(reference, await planOf(reference));
    const real = await machine();
    const plan = await planOf(real);
    const commit = Plan.commitIndex(plan);
    await crashAt(real, plan, commitRecorded(log) + 1);
    const report = squash(await real.recover());
    expect(report).toMatchObject({ action: "finished", from: 3, to: 1 });
    expect(report.reason).toBe(`the interrupted apply had passed its commit point (step ${commit + 1} of ${plan.steps.length}), so it was finished`);
    expect(real.machine.snapshot()).toEqual(reference.machine.snapshot());
  });

  it("during the revert of a failed activation: the revert is completed", async () => {
    const reference = await machine();
    reference.machine.failingActivations.add(systemOf(1));
    const log = await relativeLog(reference, await planOf(reference));
    const real = await machine();
    real.machine.failingActivations.add(systemOf(1));
    const before = real.machine.snapshot();
    const plan = await planOf(real);
    // The revert's first step puts /run/current-system back (the second rename onto it); crash right after.
    await crashAt(real, plan, renameDurable(log, CURRENT_SYSTEM, 1) + 1);
    const progress = real.machine.fs.snapshot({ under: JOURNAL })["progress.json"];
    expect(progress?.kind === "file" && JSON.parse(String(progress.content))).toMatchObject({ phase: "revert" });
    const revertsBefore = real.machine.activations.filter((a) => a.startsWith("revert ")).length;
    const report = squash(await real.recover());
    expect(report).toMatchObject({ action: "reverted", from: 3, to: 1, reason: "the interrupted apply was already reverting, so the revert was completed" });
    expect(real.machine.snapshot()).toEqual(before);
    // The revert's activation (after the crash point) ran exactly once, in recover.
    expect(plan.revert.findIndex((s) => s._tag === "RunActivation")).toBeGreaterThan(0);
    expect(real.machine.activations.filter((a) => a.startsWith("revert ")).length).toBe(revertsBefore + 1);
  });
});

describe("an undecodable journal", () => {
  /** A machine with a real journal (a crash after Commit), whose `name` is then replaced by `content`. */
  const corrupted = async (name: "plan.json" | "progress.json", content: string) => {
    const reference = await machine();
    const log = await relativeLog(reference, await planOf(reference));
    const real = await machine();
    const plan = await planOf(real);
    await crashAt(real, plan, commitRecorded(log) + 1);
    dropDeadLock(real);
    const fs = real.machine.fs.service;
    Effect.runSync(
      Effect.gen(function* () {
        yield* fs.remove(`${JOURNAL}/${name}`);
        yield* fs.writeNewFile(`${JOURNAL}/${name}`, bytes(content));
        yield* fs.fsync(`${JOURNAL}/${name}`);
        yield* fs.fsyncDirectory(JOURNAL);
      }),
    );
    return real;
  };

  for (const [name, content] of [
    ["progress.json", "garbage"],
    ["progress.json", `{"phase":"forward","done":-7}\n`],
    ["progress.json", `{"phase":"sideways","done":2}\n`],
    ["plan.json", "garbage"],
    ["plan.json", `{"format":"switchyard-plan","version":1}\n`],
    ["plan.json", `{"format":"switchyard-plan","version":2}\n`],
  ] as const) {
    it(`${name} = ${JSON.stringify(content.trim())}: JournalUnreadable, and nothing is changed`, async () => {
      const real = await corrupted(name, content);
      const live = real.machine.fs.snapshot({ mtimes: true });
      const durable = real.machine.fs.snapshotAfterCrash(0, { mtimes: true });
      const exit = await real.recover();
      const failure = failureOf(exit) as { _tag: string; message: string } | null;
      expect(failure?._tag).toBe("JournalUnreadable");
      expect(failure?.message).toContain(`the journal ${JOURNAL} cannot be decoded (${name}`);
      expect(real.machine.fs.snapshot({ mtimes: true })).toEqual(live);
      expect(real.machine.fs.snapshotAfterCrash(0, { mtimes: true })).toEqual(durable);
      // Apply refuses too, pointing to recover.
      const other = await planOf(real, { _tag: "Switch", spec: "2" });
      const refused = failureOf(await real.apply(other)) as { _tag: string } | null;
      expect(refused?._tag).toBe("JournalPending");
      expect(real.machine.fs.snapshot({ mtimes: true })).toEqual(live);
    });
  }
});

describe("the journal of an apply", () => {
  it("keeps a boot menu of the default limit in plan.json, stages nothing, and leaves out the generations and the boot files' digest; recover finishes from it", async () => {
    // 100 generations: a full default menu (boot.menuLimit 100), still under the staging threshold.
    const many = () => Real.create({ numbers: Array.from({ length: 100 }, (_, i) => i + 1), current: 100 }, true);
    const reference = await many();
    const plan = await planOf(reference, { _tag: "Switch", spec: "90" });
    const log = await relativeLog(reference, plan);
    const real = await many();
    await crashAt(real, await planOf(real, { _tag: "Switch", spec: "90" }), commitRecorded(log) + 1);
    const journal = JSON.parse(String((real.machine.fs.snapshot({ under: JOURNAL })["plan.json"] as { content: string }).content)) as {
      staged?: ReadonlyArray<unknown>;
      preconditions: { generations: ReadonlyArray<unknown>; bootConfigDigest: string | null; profileTarget: string | null };
      steps: ReadonlyArray<{ _tag: string; path?: string; content?: string }>;
    };
    expect(journal.staged ?? []).toEqual([]);
    expect(journal.preconditions.generations).toEqual([]);
    expect(journal.preconditions.bootConfigDigest).toBeNull();
    expect(journal.preconditions.profileTarget).toBe(plan.preconditions.profileTarget);
    const menu = journal.steps.find((step) => step._tag === "WriteFile" && step.path === "/boot/grub/grub.cfg");
    expect(menu?.content?.match(/^\s*menuentry /gm)?.length, "the whole menu is in the journal").toBeGreaterThanOrEqual(100);
    dropDeadLock(real);
    squash(await real.recover());
    expect(real.machine.snapshot()).toEqual(reference.machine.snapshot());
  });
});

describe("a journal whose staged boot menu is gone", () => {
  it("after Commit, with the destination not holding its bytes either: JournalUnreadable naming the file, nothing changed", async () => {
    // A boot menu big enough to be staged (smaller files stay in the journal): 40 entries of 2 KB.
    const big = () => Real.create({ numbers: Array.from({ length: 40 }, (_, i) => i + 1), current: 40, extraParams: [`console=${"x".repeat(2000)}`] }, true);
    const reference = await big();
    const log = await relativeLog(reference, await planOf(reference));
    const real = await big();
    const plan = await planOf(real);
    await crashAt(real, plan, commitRecorded(log) + 1);
    dropDeadLock(real);
    const journal = JSON.parse(String((real.machine.fs.snapshot({ under: JOURNAL })["plan.json"] as { content: string }).content)) as { staged: ReadonlyArray<{ key: string; file: string }> };
    const forward = journal.staged.filter((r) => r.key.startsWith("f"));
    expect(forward.length, "the boot menu is staged").toBeGreaterThan(0);
    const fs = real.machine.fs.service;
    Effect.runSync(Effect.forEach(forward, (r) => fs.remove(`${MEMORY_ROOT}${r.file}`)));
    const live = real.machine.fs.snapshot({ mtimes: true });
    const failure = failureOf(await real.recover()) as { _tag: string; message: string } | null;
    expect(failure?._tag).toBe("JournalUnreadable");
    expect(failure?.message).toMatch(/needs the staged copy of .*grub\.cfg, which is gone; it was left untouched/);
    expect(real.machine.fs.snapshot({ mtimes: true })).toEqual(live);
  });
});

describe("recover without a journal", () => {
  it("says nothing to do and changes nothing", async () => {
    const real = await machine();
    const before = real.machine.snapshot();
    const report = squash(await real.recover());
    expect(report).toEqual({ action: "nothing", reason: "no interrupted apply", operation: null, from: null, to: null, cleaned: [], migrations: null });
    expect(real.machine.snapshot()).toEqual(before);
  });

  it("removes leftover temp files and .journal-new-* / .journal-done-* directories, reports each, and nothing else", async () => {
    const real = await machine();
    const file = (content: string) => ({ kind: "file", content }) as const;
    const host = (p: string) => `${MEMORY_ROOT}${p}`;
    const leftovers = {
      [`${STATE}/.journal-new-99-abc`]: { kind: "directory" },
      [`${STATE}/.journal-new-99-abc/plan.json`]: file("{}"),
      [`${STATE}/.journal-done-98-abd`]: { kind: "directory" },
      [`${STATE}/.journal-done-98-abd/plan.json`]: file("{}"),
      [`${STATE}/.journal-done-98-abd/progress.json`]: file("{}"),
      [`${STATE}/.layout.v1.switchyard-tmp-99-1`]: file(""),
      [host(`${World.Paths.stateDir}/profiles/.system.switchyard-tmp-99-2`)]: { kind: "symlink", target: "system-1-link" },
      [host(`${World.Paths.stateDir}/profiles/.system-4-link.switchyard-tmp-99-3`)]: { kind: "symlink", target: systemOf(1) },
      [host("/run/.current-system.switchyard-tmp-99-4")]: { kind: "symlink", target: systemOf(1) },
      [host("/boot/grub/.grub.cfg.switchyard-tmp-99-5")]: file("half a menu"),
    } as const;
    const lookalikes = {
      [host("/boot/grub/grub.cfg.switchyard-tmp-keep")]: file("not a temp name: no leading dot"),
      [host("/boot/grub/.hidden")]: file("a user's file"),
      [`${STATE}/journal-new-x`]: file("no leading dot"),
      [`${STATE}/.journal-old`]: file("not a leftover name"),
    } as const;
    const before = real.machine.snapshot();
    real.machine.fs.seed({ ...leftovers, ...lookalikes });
    const report = squash(await real.recover());
    expect(report.action).toBe("nothing");
    const removedTops = Object.keys(leftovers).filter((p) => !/\.journal-(new|done)-[^/]+\//.test(p));
    expect([...report.cleaned].sort()).toEqual(removedTops.sort());
    const after = real.machine.snapshot();
    for (const p of Object.keys(leftovers)) expect(after[p.slice(MEMORY_ROOT.length)], p).toBeUndefined();
    for (const [p, e] of Object.entries(lookalikes)) expect(after[p.slice(MEMORY_ROOT.length)], p).toEqual(e);
    const rest = Object.fromEntries(Object.entries(after).filter(([p]) => !Object.keys(lookalikes).includes(`${MEMORY_ROOT}${p}`)));
    expect(rest).toEqual(before);
    // Every removal is durable, leftover directories included (their entries are flushed before they go).
    expect(Object.keys(durableSnapshot(real)).filter((p) => Object.keys(leftovers).includes(`${MEMORY_ROOT}${p}`))).toEqual([]);
  });
});

describe("links among the journal leftovers", () => {
  const VICTIM = `${MEMORY_ROOT}/home/user/precious`;
  const victim = {
    [VICTIM]: { kind: "directory" },
    [`${VICTIM}/a.txt`]: { kind: "file", content: "keep me" },
    [`${VICTIM}/b.txt`]: { kind: "file", content: "keep me too" },
  } as const;
  const victimNow = (real: Real) => real.machine.fs.snapshot({ under: VICTIM });

  it("a leftover that is a symlink to a directory is removed as a link; nothing it points to is touched", async () => {
    const real = await machine();
    real.machine.fs.seed({ ...victim, [`${STATE}/.journal-done-66-x`]: { kind: "symlink", target: VICTIM } });
    const before = victimNow(real);
    const report = squash(await real.recover());
    expect(report.cleaned).toEqual([`${STATE}/.journal-done-66-x`]);
    expect(real.machine.fs.snapshot({ under: STATE })[".journal-done-66-x"]).toBeUndefined();
    expect(victimNow(real)).toEqual(before);
    expect(Object.keys(before)).toEqual(["a.txt", "b.txt"]);
  });

  it("a symlink inside a leftover directory is removed as a link, never descended into", async () => {
    const real = await machine();
    real.machine.fs.seed({
      ...victim,
      [`${STATE}/.journal-new-66-y`]: { kind: "directory" },
      [`${STATE}/.journal-new-66-y/plan.json`]: { kind: "file", content: "{}" },
      [`${STATE}/.journal-new-66-y/deeper`]: { kind: "symlink", target: VICTIM },
      [`${STATE}/.journal-new-66-y/sub`]: { kind: "directory" },
      [`${STATE}/.journal-new-66-y/sub/up`]: { kind: "symlink", target: `${MEMORY_ROOT}/home/user` },
    });
    const before = victimNow(real);
    squash(await real.recover());
    expect(Object.keys(real.machine.fs.snapshot({ under: STATE })).filter((p) => p.startsWith(".journal-"))).toEqual([]);
    expect(victimNow(real)).toEqual(before);
  });

  it("a journal directory that is itself a symlink is refused: JournalUnreadable, nothing changed, nothing run", async () => {
    const reference = await machine();
    const log = await relativeLog(reference, await planOf(reference));
    const real = await machine();
    await crashAt(real, await planOf(real), commitRecorded(log) + 1);
    dropDeadLock(real);
    // The very journal, moved elsewhere, with a link in its place.
    const elsewhere = `${MEMORY_ROOT}/home/user/journal`;
    const fs = real.machine.fs.service;
    Effect.runSync(
      Effect.gen(function* () {
        yield* fs.makeDirectory(`${MEMORY_ROOT}/home/user`);
        yield* fs.rename(JOURNAL, elsewhere);
        yield* fs.symlink(elsewhere, JOURNAL);
      }),
    );
    const live = real.machine.fs.snapshot({ mtimes: true });
    const activations = real.machine.activations.length;
    const failure = failureOf(await real.recover()) as { _tag: string; message: string } | null;
    expect(failure?._tag).toBe("JournalUnreadable");
    expect(failure?.message).toContain(`the journal ${JOURNAL} cannot be decoded (it is a symlink, not a directory)`);
    expect(real.machine.fs.snapshot({ mtimes: true })).toEqual(live);
    expect(real.machine.activations.length).toBe(activations);
  });
});

describe("an apply whose journal cannot be written", () => {
  it("fails saying nothing was changed, and indeed changes nothing (no journal, no .journal-new-*), at every primitive of the journal's creation", async () => {
    const reference = await machine();
    const log = await relativeLog(reference, await planOf(reference));
    const first = log.find((e) => e.path.includes("/.journal-new-"));
    if (first === undefined) throw new Error("the journal is never staged");
    const wrong: Array<string> = [];
    for (let k = first.k; k <= journalBegun(log); k++) {
      const real = await machine();
      const before = real.machine.snapshot();
      const plan = await planOf(real);
      real.arm({ _tag: "Fail", k });
      const failure = failureOf(await real.apply(plan)) as { _tag: string; outcome?: ApplyOutcome; message: string } | null;
      real.machine.fs.clearFaults();
      const what = `${log[k - 1]?.op} ${log[k - 1]?.path} fails`;
      if (failure === null) continue; // e.g. a failed fsync of the staging files that the apply survived
      if (failure.outcome !== undefined && failure.outcome._tag !== "NothingChanged") continue; // it claims to have done something: the MBT checks those
      const { [`/var/lib/switchyard/lock`]: _lock, ...after } = real.machine.snapshot();
      const changed = Object.keys({ ...before, ...after }).filter((p) => JSON.stringify(before[p]) !== JSON.stringify(after[p]));
      if (changed.length > 0) wrong.push(`${what}: "${failure.message}", but changed ${changed.join(", ")}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("an apply whose journal cannot be removed at the end", () => {
  for (const activationFails of [false, true]) {
    const done = activationFails ? "reverted (its activation failed)" : "finished";
    it(`after it ${done}: the failure says so, and recover agrees`, async () => {
      const reference = await machine();
      if (activationFails) reference.machine.failingActivations.add(systemOf(1));
      const old = reference.machine.snapshot();
      const log = await relativeLog(reference, await planOf(reference));
      const end = reference.machine.snapshot();
      const rename = log.find((e) => e.op === "rename" && e.path === JOURNAL);
      if (rename === undefined) throw new Error("the journal is never removed");
      const real = await machine();
      if (activationFails) real.machine.failingActivations.add(systemOf(1));
      real.arm({ _tag: "Fail", k: rename.k });
      const failure = failureOf(await real.apply(await planOf(real))) as { outcome: ApplyOutcome; message: string } | null;
      real.machine.fs.clearFaults();
      expect(real.machine.snapshot()[`${World.Paths.stateDir}/journal`]).toBeDefined();
      // committed: "the transition was committed; recover finishes it"; reverted: "the previous generation is running again".
      expect(failure?.outcome._tag, failure?.message).toBe(activationFails ? "RevertedJournalLeft" : "CommittedIncomplete");
      const report = squash(await real.recover());
      expect(report.action).toBe(activationFails ? "reverted" : "finished");
      expect(real.machine.snapshot()).toEqual(activationFails ? old : end);
    });
  }
});

describe("apply while a journal waits", () => {
  it("is refused with JournalPending naming recover, and touches nothing", async () => {
    const reference = await machine();
    const log = await relativeLog(reference, await planOf(reference));
    const real = await machine();
    const plan = await planOf(real);
    await crashAt(real, plan, renameDurable(log, CURRENT_SYSTEM) + 1);
    dropDeadLock(real);
    const live = real.machine.fs.snapshot({ mtimes: true });
    const exit = await real.apply(await planOf(real, { _tag: "Switch", spec: "2" }));
    const failure = failureOf(exit) as { _tag: string; message: string } | null;
    expect(failure?._tag).toBe("JournalPending");
    expect(failure?.message).toContain("run 'switchyard recover'");
    expect(real.machine.fs.snapshot({ mtimes: true })).toEqual(live);
  });
});

describe("every crash point", () => {
  const scenarios: ReadonlyArray<{ readonly name: string; readonly settle: boolean; readonly operation: Request.Between; readonly mode: Plan.Mode; readonly failActivation?: boolean }> = [
    { name: "switch 3 → 1", settle: true, operation: { _tag: "Switch", spec: "1" }, mode: "switch" },
    { name: "switch 3 → 1 whose activation fails (forward, then revert)", settle: true, operation: { _tag: "Switch", spec: "1" }, mode: "switch", failActivation: true },
    { name: "the first apply on a fresh state directory (rollback 3 → 2; writes the layout marker)", settle: false, operation: { _tag: "Rollback" }, mode: "switch" },
  ];
  for (const s of scenarios) {
    it(`of ${s.name}, keeping no pending change or all of them, recovers to exactly the old or the new tree`, async () => {
      const reference = await machine(s.settle);
      if (s.failActivation === true) reference.machine.failingActivations.add(systemOf(1));
      const old = withoutMarker(reference.machine.snapshot());
      const referencePlan = await planOf(reference, s.operation, s.mode);
      const log = await relativeLog(reference, referencePlan);
      const fresh = withoutMarker(reference.machine.snapshot());
      const points = log.length + 1; // k = log.length + 1: the crash comes after the apply's last primitive
      const seen = { reverted: 0, finished: 0, nothing: 0 };
      let tried = 0;
      for (let k = 1; k <= points; k++) {
        for (const keepAll of [false, true]) {
          const real = await machine(s.settle);
          if (s.failActivation === true) real.machine.failingActivations.add(systemOf(1));
          const plan = await planOf(real, s.operation, s.mode);
          await crashAt(real, plan, k, keepAll ? (pending) => pending : () => 0);
          const report = squash(await real.recover());
          const tree = withoutMarker(real.machine.snapshot());
          const what = `crash at primitive ${k} (${log[k - 1]?.op ?? "after the end"} ${log[k - 1]?.path ?? ""}), keeping ${keepAll ? "all" : "none"}: recover ${report.action}`;
          seen[report.action] += 1;
          tried += 1;
          if (report.action === "finished") expect(tree, what).toEqual(fresh);
          else if (report.action === "reverted") expect(tree, what).toEqual(old);
          else expect([old, fresh], what).toContainEqual(tree);
          // What recover leaves survives another power loss (journal leftovers aside, which recover removes).
          expect(withoutLeftovers(withoutMarker(durableSnapshot(real))), `${what}, then power loss`).toEqual(tree);
        }
      }
      console.log(`recover, ${s.name}: ${tried} crash points tried (k = 1..${points} × keep none/all): ${JSON.stringify(seen)}`);
      if (s.failActivation === true) expect(fresh).toEqual(old);
      else expect(seen.finished).toBeGreaterThan(0);
      expect(seen.reverted).toBeGreaterThan(0);
    });
  }
});

describe("lock tokens", () => {
  // Two runs with the same pid in the same millisecond (pid 1 in a container, or an initramfs whose
  // clock restarts at every boot) may get the same token, and so meet a `.journal-new-TOKEN` or
  // `.journal-done-TOKEN` left by the earlier one (a failed removal, a crash). Whatever the token's
  // format, the disk below plants such a leftover under the very name this run uses, the first time
  // the run touches that name.
  const spec: MachineSpec = { generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current: 3 };
  type Memory = ReturnType<typeof memoryMachine>;
  const planted = new Set<string>();
  const planting = (m: Memory, prefix: ".journal-new" | ".journal-done"): Layer.Layer<FileSystem> => {
    planted.clear();
    const plant = (path: unknown) => {
      const match = typeof path === "string" ? new RegExp(`^(.*/\\${prefix}-[^/]+)`).exec(path) : null;
      if (match === null || planted.has(match[1] as string)) return;
      planted.add(match[1] as string);
      m.fs.seed({ [`${match[1]}/plan.json`]: { kind: "file", content: "{}" }, [`${match[1]}/progress.json`]: { kind: "file", content: "{}" } });
    };
    const service = Object.fromEntries(
      Object.entries(m.fs.service).map(([name, f]) => [
        name,
        (...args: Array<unknown>) =>
          Effect.suspend(() => {
            for (const a of args) plant(a);
            return (f as (...a: Array<unknown>) => Effect.Effect<unknown, unknown>)(...args);
          }),
      ]),
    ) as unknown as FileSystemService;
    return Layer.succeed(FileSystem, service);
  };
  const run = <A, E>(m: Memory, disk: Layer.Layer<FileSystem>, effect: Effect.Effect<A, E, FileSystem | Clock | ProcessRunner | ServiceManager>) =>
    Effect.runPromiseExit(effect.pipe(Effect.provide(disk), Effect.provide(m.layer)));
  const leftovers = (m: Memory) => Object.keys(m.fs.snapshot({ under: STATE })).filter((p) => /^\.journal-(new|done)-/.test(p));
  const outcome = <A>(exit: Exit.Exit<A, unknown>, f: (a: A) => unknown) => (Exit.isSuccess(exit) ? f(exit.value) : `failed: ${(failureOf(exit) as { message: string }).message}`);
  const options = (m: Memory) => ({ root: m.root, settings: m.settings, command: "test" });

  for (const prefix of [".journal-new", ".journal-done"] as const) {
    it(`an apply is not blocked by a ${prefix}-TOKEN left by an earlier run with the same token`, async () => {
      const m = memoryMachine(spec);
      await switchTo(m, 3);
      const plan = await planOrThrow(m, { _tag: "Switch", spec: "1" });
      const exit = await run(m, planting(m, prefix), Apply.applyPlan(plan, options(m)));
      expect(planted.size).toBe(1);
      expect(outcome(exit, () => "switched")).toBe("switched");
      expect(leftovers(m)).toEqual([]);
    });
  }

  it("recover is not blocked by a .journal-done-TOKEN left by an earlier run with the same token", async () => {
    const m = memoryMachine(spec);
    await switchTo(m, 3);
    // That apply's discarded journal is not flushed away (see ApplyJournal.finish): let it be gone.
    m.fs.syncAll();
    const plan = await planOrThrow(m, { _tag: "Switch", spec: "1" });
    // The process dies once the journal was written: every primitive after its directory's flush fails.
    let renamed = false;
    let begun = false;
    m.fs.failWhen((op, path, to) => {
      if (begun) return true;
      if (op === "rename" && to === `${STATE}/journal`) renamed = true;
      else if (renamed && op === "fsyncDirectory" && path === STATE) begun = true;
      return false;
    });
    await apply(m, plan);
    m.fs.crash();
    m.fs.clearFaults();
    expect(Object.keys(m.fs.snapshot({ under: STATE }))).toContain("journal");
    const exit = await run(m, planting(m, ".journal-done"), Recover.recover({ ...options(m), command: "recover" }));
    expect(planted.size).toBe(1);
    expect(outcome(exit, (r) => r.action)).toBe("reverted");
    expect(leftovers(m)).toEqual([]);
  });
});

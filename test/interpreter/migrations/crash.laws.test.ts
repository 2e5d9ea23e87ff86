/**
 * The law of migration graphs: running a graph through the real runner, with the file system
 * failing at an arbitrary operation and the machine then losing power (keeping an arbitrary prefix
 * of what was not flushed) any number of times, and resuming each time from what was made durable,
 * ends exactly as a sequential run of the same graph in a topological order: every migration's
 * effect is what it computes from the effects of what it requires, so a migration run before one
 * of its requirements, or not at all, shows. Along the way a migration recorded done never runs
 * again, each one runs at most once more than the crashes that interrupted the graph, none starts
 * before the record says its requirements are done, and no more than `jobs` run at once.
 */
import fc from "fast-check";
import { Effect, Exit, Layer } from "effect";
import { describe, expect, it } from "vitest";
import * as MemoryFileSystem from "../../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as MemoryProcessRunner from "../../../packages/interpreter/src/memory/MemoryProcessRunner.js";
import { fixedClock } from "../../../packages/interpreter/src/node/NodeClock.js";
import * as Begin from "../../../packages/interpreter/src/migrations/Begin.js";
import * as GraphFile from "../../../packages/interpreter/src/migrations/GraphFile.js";
import * as Runner from "../../../packages/interpreter/src/migrations/Runner.js";
import * as Root from "../../../packages/interpreter/src/root/Root.js";
import type { Migration } from "../../../packages/model/src/checks/Item.js";
import { defaultSettings } from "../../support/worlds.js";
import type { GenerationNumber } from "../../../packages/model/src/world/GenerationNumber.js";
import type { InRootPath } from "../../../packages/model/src/paths/InRootPath.js";
import type * as Step from "../../../packages/model/src/plan/Step.js";

const root = Root.make("/machine");

/** Up to 6 migrations, each requiring some earlier ones, listed in a shuffled order; some run before the reboot. */
const graphs = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => fc.tuple(fc.subarray(Array.from({ length: i }, (_, j) => j)), fc.boolean()))),
      fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    ),
  )
  .map(([specs, order]) => {
    const before = specs.map(([requires, early], i) => early && requires.every((r) => specs[r]?.[1] === true && r < i));
    return order.map((i): Migration => {
      const [requires] = specs[i] as [ReadonlyArray<number>, boolean];
      // A migration before the reboot may only require others before it.
      const kept = before[i] === true ? requires.filter((r) => before[r] === true) : requires;
      return { id: `m${i}`, run: ["bin/migrate"], requires: kept.map((r) => `m${r}`), ...(before[i] === true ? { reboot: "before" as const } : {}) };
    });
  });

/** What a sequential run in a topological order leaves: each effect is 1 + the effects it requires. */
const sequential = (migrations: ReadonlyArray<Migration>): Record<string, number> => {
  const value: Record<string, number> = {};
  const left = [...migrations];
  while (left.length > 0) {
    const i = left.findIndex((m) => (m.requires ?? []).every((r) => r in value));
    const [m] = left.splice(i, 1) as [Migration];
    value[m.id] = 1 + (m.requires ?? []).reduce((s, r) => s + (value[r] ?? 0), 0);
  }
  return value;
};

const step = (migrations: ReadonlyArray<Migration>): Step.BeginMigrationsStep => ({
  _tag: "BeginMigrations",
  from: 1 as GenerationNumber,
  to: 2 as GenerationNumber,
  mode: "switch",
  fromSystem: "/store/one" as InRootPath,
  toSystem: "/store/two" as InRootPath,
  migrations,
  settings: defaultSettings,
});

describe("a migration graph under crashes", () => {
  it("ends as a sequential run in a topological order, never re-running what was recorded done", async () => {
    await fc.assert(
      fc.asyncProperty(
        graphs,
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.nat(6)), { maxLength: 5 }),
        async (migrations, jobs, crashes) => {
          const fs = MemoryFileSystem.makeMemoryFileSystem({ seed: { "/machine/var/lib/switchyard": { kind: "directory" } } });
          // The world the migrations change: each sets its value from the values of what it requires.
          const world: Record<string, number> = {};
          const byId = new Map(migrations.map((m) => [m.id, m]));
          const early: Array<string> = [];
          const runner = MemoryProcessRunner.make({
            script: (request) => {
              const m = byId.get(request.env.SWITCHYARD_MIGRATION ?? "") as Migration;
              // When it starts, the record says every migration it requires is done.
              const entry = fs.snapshot()[GraphFile.graphPath(root)];
              const progress = entry?.kind === "file" ? (JSON.parse(String(entry.content)) as { progress: Record<string, { status: string }> }).progress : {};
              for (const r of m.requires ?? []) if (progress[r]?.status !== "done") early.push(`${m.id} before ${r}`);
              const running = Object.values(progress).filter((e) => e.status === "running").length;
              if (running > jobs) early.push(`${running} running with --jobs ${jobs}`);
              world[m.id] = 1 + (m.requires ?? []).reduce((s, r) => s + (world[r] ?? 0), 0);
              // Different lengths, so runs that overlap end in any order.
              return { _tag: "Exit", code: 0, afterMs: (m.id.charCodeAt(1) * 7) % 3 };
            },
          });
          const layer = Layer.mergeAll(fs.layer, runner.layer, fixedClock(1_700_000_000_000));
          const go = <A, E>(e: Effect.Effect<A, E, never>) => Effect.runPromiseExit(e);
          expect(Exit.isSuccess(await go(Begin.run(step(migrations), root).pipe(Effect.provide(layer))))).toBe(true);

          let interrupted = 0;
          let finished: Exit.Exit<Runner.Report | null, unknown> | null = null;
          const attempt = async () => {
            const before = await go(GraphFile.read(root).pipe(Effect.provide(layer)));
            const done = new Set(Exit.isSuccess(before) && before.value !== null ? Object.entries(before.value.record.progress).filter(([, e]) => e.status === "done").map(([id]) => id) : []);
            const from = runner.runs.length;
            const exit = await go(Runner.continueGraph({ root, jobs }).pipe(Effect.provide(layer)));
            // What was durably done before this run is never run again.
            for (const r of runner.runs.slice(from)) expect(done.has(r.env.SWITCHYARD_MIGRATION ?? "")).toBe(false);
            return exit;
          };
          for (const [k, keep] of crashes) {
            fs.failAt(k);
            const exit = await attempt();
            fs.clearFaults();
            if (Exit.isSuccess(exit)) {
              finished = exit;
              break;
            }
            interrupted++;
            fs.crash((pending) => Math.min(keep, pending));
          }
          const last = finished ?? (await attempt());
          // Complete, or completed already: a crash may have made the removal of its record durable.
          expect(Exit.isSuccess(last) && (last.value?.outcome._tag ?? "Complete")).toBe("Complete");
          expect(world).toEqual(sequential(migrations));
          for (const m of migrations) expect(runner.runs.filter((r) => r.env.SWITCHYARD_MIGRATION === m.id).length).toBeLessThanOrEqual(1 + interrupted);
          // Every run of a migration came after a run of each migration it requires.
          runner.runs.forEach((r, i) => {
            const m = byId.get(r.env.SWITCHYARD_MIGRATION ?? "") as Migration;
            for (const req of m.requires ?? []) expect(runner.runs.slice(0, i).some((p) => p.env.SWITCHYARD_MIGRATION === req)).toBe(true);
          });
          expect(await go(GraphFile.read(root).pipe(Effect.provide(layer)))).toEqual(Exit.succeed(null));
          expect(early).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });
});

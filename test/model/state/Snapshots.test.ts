/**
 * Snapshot metadata and retention: ids, which snapshot a reader can use, and what retention may
 * forget (never the newest snapshot a remaining generation would need to roll back).
 */
import fc from "fast-check";
import type * as GenerationNumber from "../../../packages/model/src/world/GenerationNumber.js";
import type * as SnapshotId from "../../../packages/model/src/state/SnapshotId.js";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Config from "../../../packages/model/src/world/Config.js";
import * as Retention from "../../../packages/model/src/state/Retention.js";
import * as SnapshotMeta from "../../../packages/model/src/state/SnapshotMeta.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 12);

const snap = (id: string, service: string, generation: number, ageDays: number, write = [1]): SnapshotMeta.Meta => ({
  version: 1,
  id: id as SnapshotId.SnapshotId,
  service,
  generation: generation as GenerationNumber.GenerationNumber,
  revision: null,
  epoch: { read: write, write },
  takenMs: NOW - ageDays * DAY,
  reason: "before-switch",
  members: [],
  compression: "zstd",
  encrypted: false,
  recipients: [],
});

describe("snapshot metadata", () => {
  it("the newest readable snapshot follows snap's CanRead", () => {
    const all = [snap("a", "db", 1, 3, [0]), snap("b", "db", 2, 2, [2]), snap("c", "web", 3, 1, [2])];
    expect(SnapshotMeta.newestReadable(all, "db", { read: [0], write: [0] })?.id).toBe("a");
    expect(SnapshotMeta.newestReadable(all, "db", { read: [1, 2], write: [2] })?.id).toBe("b");
    expect(SnapshotMeta.newestReadable(all, "db", { read: [3], write: [3] })).toBeUndefined();
    expect(SnapshotMeta.newestOf(all, "db", 1)?.id).toBe("a");
  });

  it("the config's snapshots section is checked and defaulted", () => {
    const ok = Config.fromText(JSON.stringify({ snapshots: { recipients: [`age1${"q".repeat(58)}`], keep: { count: 2 } } }), "c");
    expect(E.isRight(ok) && Config.snapshotSettings(ok.right)).toEqual(
      E.right({ recipients: [`age1${"q".repeat(58)}`], identity: null, keep: { count: 2, maxAgeDays: null }, compression: "zstd" }),
    );
    expect(E.isLeft(Config.fromText(JSON.stringify({ snapshots: { recipients: ["ssh-rsa AAA"] } }), "c"))).toBe(true);
    expect(E.isLeft(Config.fromText(JSON.stringify({ snapshots: { keep: { count: 0 } } }), "c"))).toBe(true);
  });
});

describe("retention", () => {
  it("keeps the newest `count` per service and drops the too old, but never what a remaining generation needs", () => {
    const all = [snap("db1", "db", 1, 40), snap("db2", "db", 2, 20), snap("db3", "db", 3, 1), snap("web1", "web", 1, 50)];
    expect(Retention.decide(all, { count: 1, maxAgeDays: null }, [], NOW)).toEqual({ forget: ["db1", "db2"], protectedIds: [] });
    expect(Retention.decide(all, { count: 1, maxAgeDays: null }, [1], NOW)).toEqual({ forget: ["db2"], protectedIds: ["db1"] });
    expect(Retention.decide(all, { count: 10, maxAgeDays: 30 }, [3], NOW)).toEqual({ forget: ["web1", "db1"], protectedIds: [] });
  });

  it("law: the newest snapshot of every remaining generation survives, and only snapshots given are forgotten", () => {
    const arb = fc.array(fc.record({ s: fc.constantFrom("db", "web"), g: fc.integer({ min: 1, max: 5 }), age: fc.nat(100) }), { maxLength: 12 });
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 4 }), fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }), fc.subarray([1, 2, 3, 4, 5]), (specs, count, maxAgeDays, remaining) => {
        const all = specs.map((x, i) => snap(`id${i}`, x.s, x.g, x.age));
        const { forget } = Retention.decide(all, { count, maxAgeDays }, remaining, NOW);
        for (const service of ["db", "web"]) for (const g of remaining) {
          const needed = SnapshotMeta.newestOf(all, service, g);
          if (needed !== undefined) expect(forget).not.toContain(needed.id);
        }
        expect(forget.every((id) => all.some((s) => s.id === id))).toBe(true);
        // The newest of each service is never forgotten for being one too many.
        if (maxAgeDays === null) for (const service of ["db", "web"]) {
          const newest = SnapshotMeta.newestFirst(all.filter((s) => s.service === service))[0];
          if (newest !== undefined) expect(forget).not.toContain(newest.id);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * A plan reads the whole manifests of the generations it moves between, and only theirs: on a
 * profile of 10,000 generations every other manifest read is a file opened for nothing (the
 * interpreter reads a manifest when the planner first asks for it). Stateful services make the
 * planner look at data epochs too, which must come from the records and the running manifest.
 * Headers likewise: the interpreter checks a recorded header where it is first read, and a plan
 * reads those of the boot menu's generations, not the older ones it leaves out.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as Request from "../../packages/model/src/plan/Request.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import type * as World from "../../packages/model/src/world/World.js";
import * as Worlds from "../support/worlds.js";

const svc = (name: string, version: number, stateful: boolean) =>
  ({ name, start: ["bin/svc", String(version)], ...(stateful ? { state: { paths: [`/var/lib/${name}`] } } : {}) }) as unknown as ServiceRecord.ServiceRecordInput;

/** N generations, the running one `current`; each generation's manifest and header getters record their reads. */
const counted = (n: number, current: number, stateful: boolean, menuLimit = 100) => {
  const reads = new Set<number>();
  const headers = new Set<number>();
  const w = Worlds.world(
    Array.from({ length: n }, (_, i) => ({ number: i + 1, services: [svc("db", i + 1, stateful), svc("web", i % 3, false)] })),
    { current, settings: { serviceManager: "s6", boot: { ...Worlds.world([]).settings.boot, menuLimit } }, liveServices: ["db", "web"] },
  );
  const generations = w.generations.map((g): World.Generation => {
    const full = g.manifest;
    const header = g.header;
    return {
      number: g.number,
      link: g.link,
      system: g.system,
      createdMs: g.createdMs,
      utcOffsetMinutes: g.utcOffsetMinutes,
      get header() {
        headers.add(g.number);
        return header;
      },
      get manifest() {
        reads.add(g.number);
        return full;
      },
    };
  });
  const running = w.generations.find((g) => g.number === current);
  return { world: { ...w, generations, running: { ...w.running, manifest: running?.manifest ?? null } } satisfies World.World, reads, headers };
};

const plan = (world: World.World, operation: Request.Between) => {
  const p = Transition.between(world, { operation, mode: "switch", nowMs: Worlds.EPOCH_MS + 1_000 * Worlds.DAY_MS });
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

describe("the manifests a plan reads", () => {
  it("a switch or rollback reads only the target's (the running one's comes with the world)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }), fc.nat(), fc.nat(), fc.boolean(), (n, c, t, stateful) => {
        const current = (c % (n - 1)) + 2;
        const target = (t % n) + 1;
        const { world, reads } = counted(n, current, stateful);
        const p = plan(world, target === current ? { _tag: "Rollback" } : { _tag: "Switch", spec: String(target) });
        expect([...reads].filter((g) => g !== p.to && g !== p.from)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("a switch, rollback or delete reads the headers of the boot menu's generations, not the older ones", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }), fc.integer({ min: 1, max: 8 }), fc.nat(), fc.nat(), fc.nat(3), (n, limit, c, t, kind) => {
        const current = (c % (n - 1)) + 2;
        const target = (t % n) + 1;
        const { world, headers } = counted(n, current, false, limit);
        const operation: Request.Between =
          kind === 0 ? { _tag: "Rollback" } : kind === 1 ? { _tag: "Delete", pattern: "1" } : { _tag: "Switch", spec: String(target) };
        plan(world, current === 1 && kind === 1 ? { _tag: "Rollback" } : operation);
        // The menu's own (the default, a trial's, the newest up to the limit), the two moved between, and no older one.
        expect(headers.size).toBeLessThanOrEqual(limit + 3);
      }),
      { numRuns: 80 },
    );
  });

  it("a delete of old generations reads none", () => {
    const { world, reads } = counted(30, 30, true);
    plan(world, { _tag: "Delete", pattern: "1..10" });
    expect([...reads]).toEqual([]);
  });
});

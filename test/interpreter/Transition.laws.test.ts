/**
 * Laws of the switch / rollback / delete algebra, checked by running the real interpreter over the
 * in-memory file system (many cases) and a real temp directory (a few), from machines whose
 * generations carry random service graphs.
 */
import fc from "fast-check";
import { Exit } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import * as Plan from "../../packages/model/src/plan/Plan.js";
import type * as Request from "../../packages/model/src/plan/Request.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import { asInput, serviceRecords } from "../arbitraries/services.js";
import {
  apply,
  cleanup,
  linkOf,
  memoryMachine,
  observe,
  plan,
  planOrThrow,
  realMachine,
  run,
  switchTo,
  systemOf,
  type Machine,
  type MachineSpec,
} from "../support/machine.js";


/** Plans from two roots differ only in the host paths their messages name. */
const portable = (m: Machine, p: unknown): unknown => JSON.parse(JSON.stringify(p).split(m.root.prefix).join("<root>"));

/** 2–5 generations with holes in the numbering, random services, a random current one. */
const machineSpec: fc.Arbitrary<MachineSpec> = fc
  .uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 2, maxLength: 5 })
  .chain((numbers) => {
    const sorted = [...numbers].sort((a, b) => a - b);
    return fc.record({
      generations: fc.tuple(...sorted.map((n) => serviceRecords({ maxLength: 4 }).map((s) => ({ number: n, services: asInput(s) })))),
      current: fc.constantFrom(...sorted),
      timeout: fc.integer({ min: 0, max: 30 }),
    });
  });

const pick = (spec: MachineSpec) => fc.constantFrom(...spec.generations.map((g) => g.number));

const machines: Array<Machine & { dir?: string }> = [];
const track = <M extends Machine & { dir?: string }>(m: M): M => {
  machines.push(m);
  return m;
};
afterEach(() => {
  for (const m of machines.splice(0)) cleanup(m);
});

const DEBT = "/var/lib/switchyard/restart-debt.json";

/**
 * Services that do not run A's code after A → B → A, as the service manager itself knows them:
 * B's services that A does not stop (stopOnRemoval: false), and services A's record says not to
 * restart (restartIfChanged: false) after B ran its own code. The restart-debt record must name
 * exactly these.
 */
const notOnCodeOf = (m: Machine, a: number): ReadonlyArray<string> =>
  [...m.services.running].filter(([, r]) => r.generation !== a).map(([name]) => name);

/**
 * Every byte is back, except the restart-debt record, which lists exactly the services still
 * running another generation's code.
 */
const expectRestored = (after: Record<string, unknown>, before: Record<string, unknown>, kept: ReadonlyArray<string>) => {
  const { [DEBT]: debt, ...rest } = after;
  expect(rest).toEqual(before);
  if (kept.length === 0) expect(debt).toBeUndefined();
  else expect(JSON.parse(String((debt as { content: string }).content)).entries.map((e: { service: string }) => e.service).sort()).toEqual([...kept].sort());
};

/** A machine brought to the state switchyard leaves: boot menu written, current = running. */
const settled = async (m: Machine, spec: MachineSpec) => {
  await switchTo(m, spec.current as number);
  return m;
};

/** A fresh machine settled on generation `n`, to compare against. */
const settledCopy = async (spec: MachineSpec, n: number) => settled(memoryMachine({ ...spec, current: n }), { ...spec, current: n });

describe("switching", () => {
  it("to the current generation is an empty plan", async () => {
    await fc.assert(
      fc.asyncProperty(machineSpec, async (spec) => {
        const m = await settled(memoryMachine(spec), spec);
        const p = await planOrThrow(m, { _tag: "Switch", spec: String(spec.current) });
        expect(p.steps).toEqual([]);
        expect(Plan.isEmpty(p)).toBe(true);
        const relative = await planOrThrow(m, { _tag: "Switch", spec: "+0" });
        expect(relative.steps).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("A → B → A restores every byte of the tree (in memory)", async () => {
    await fc.assert(
      fc.asyncProperty(machineSpec.chain((spec) => fc.tuple(fc.constant(spec), pick(spec), fc.constantFrom<Plan.Mode>("switch", "boot", "test"))), async ([spec, b, mode]) => {
        const m = await settled(memoryMachine(spec), spec);
        const before = m.snapshot();
        await switchTo(m, b, mode);
        await switchTo(m, spec.current as number, mode);
        expectRestored(m.snapshot(), before, notOnCodeOf(m, spec.current as number));
      }),
      { numRuns: 80 },
    );
  });

  it("A → B → A restores every byte of the tree (real directory)", async () => {
    await fc.assert(
      fc.asyncProperty(machineSpec.chain((spec) => fc.tuple(fc.constant(spec), pick(spec))), async ([spec, b]) => {
        const m = track(realMachine(spec));
        await settled(m, spec);
        const before = m.snapshot();
        await switchTo(m, b);
        await switchTo(m, spec.current as number);
        expectRestored(m.snapshot(), before, notOnCodeOf(m, spec.current as number));
      }),
      { numRuns: 8 },
    );
  });

  it("only moves the boot default after activation succeeded, and a failed activation reverts", async () => {
    await fc.assert(
      fc.asyncProperty(machineSpec.chain((spec) => fc.tuple(fc.constant(spec), pick(spec))), async ([spec, b]) => {
        fc.pre(b !== spec.current);
        const m = await settled(memoryMachine(spec), spec);
        const before = m.snapshot();
        m.failingActivations.add(systemOf(b));
        const p = await planOrThrow(m, { _tag: "Switch", spec: String(b) });
        const exit = await apply(m, p);
        expect(Exit.isFailure(exit)).toBe(true);
        expect(m.snapshot()).toEqual(before);
        // The reverse transition re-activated the generation that was running.
        expect(m.activations.at(-1)).toBe(`revert ${systemOf(spec.current as number)}`);
      }),
      { numRuns: 40 },
    );
  });
});

describe("rollback", () => {
  it("after add + switch returns to the generation before the added one", async () => {
    await fc.assert(
      fc.asyncProperty(machineSpec, async (spec) => {
        const newest = Math.max(...spec.generations.map((g) => g.number));
        const withNew: MachineSpec = { ...spec, generations: [...spec.generations, { number: newest + 1 }] };
        const m = await settled(memoryMachine(withNew), withNew);
        await switchTo(m, newest + 1);
        await run(m, { _tag: "Rollback" });
        // Rollback is "the highest generation below the current one": the newest before the add,
        // which is where the machine was whenever it ran its newest generation.
        const world = await observe(m);
        expect(world.current).toBe(newest);
        expect(world.running.generation).toBe(newest);
        expect(m.snapshot()[`/boot/grub/grub.cfg`]).toEqual((await settledCopy(withNew, newest)).snapshot()["/boot/grub/grub.cfg"]);
      }),
      { numRuns: 40 },
    );
  });

  it("goes to the highest generation below the current one, and fails on the oldest", async () => {
    await fc.assert(
      fc.asyncProperty(machineSpec, async (spec) => {
        const m = await settled(memoryMachine(spec), spec);
        const numbers = spec.generations.map((g) => g.number);
        const below = numbers.filter((n) => n < (spec.current as number));
        const p = await plan(m, { _tag: "Rollback" });
        if (below.length === 0) expect(p._tag).toBe("Left");
        else expect(p._tag === "Right" && p.right.to).toBe(Math.max(...below));
      }),
      { numRuns: 60 },
    );
  });
});

describe("delete", () => {
  it("never removes the current or booted generation and never renumbers", async () => {
    const withPattern = machineSpec.chain((spec) =>
      fc.tuple(fc.constant(spec), pick(spec), fc.constantFrom("old", "+1", "+2", "1..", "..5", "0s", "1,2,3")),
    );
    await fc.assert(
      fc.asyncProperty(withPattern, async ([spec, booted, pattern]) => {
        const m = await settled(memoryMachine({ ...spec, booted }), { ...spec, booted });
        const before = await observe(m);
        const p = await plan(m, { _tag: "Delete", pattern });
        if (p._tag === "Left") return;
        expect(p.right.delete).not.toContain(spec.current);
        expect(p.right.delete).not.toContain(booted);
        await apply(m, p.right);
        const after = await observe(m);
        const expected = before.generations.filter((g) => !p.right.delete.includes(g.number)).map((g) => [g.number, g.system, g.createdMs]);
        expect(after.generations.map((g) => [g.number, g.system, g.createdMs])).toEqual(expected);
        expect(after.current).toBe(spec.current);
        const cfg = m.snapshot()["/boot/grub/grub.cfg"];
        for (const n of p.right.delete) expect(cfg?.kind === "file" && String(cfg.content).includes(`--id switchyard-${n} `)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe("plans", () => {
  it("decode(encode(plan)) = plan", async () => {
    const op = machineSpec.chain((spec) =>
      fc.tuple(
        fc.constant(spec),
        fc.oneof(
          pick(spec).map((n): Request.Between => ({ _tag: "Switch", spec: String(n) })),
          fc.constant<Request.Between>({ _tag: "Rollback" }),
          fc.constantFrom<Request.Between>({ _tag: "Delete", pattern: null }, { _tag: "Delete", pattern: "+1" }),
        ),
        fc.constantFrom<Plan.Mode>("switch", "boot", "test"),
      ),
    );
    await fc.assert(
      fc.asyncProperty(op, async ([spec, operation, mode]) => {
        const m = memoryMachine(spec);
        const p = await plan(m, operation, mode);
        if (p._tag === "Left") return;
        const roundTripped = Plan.decode(JSON.parse(JSON.stringify(Plan.encode(p.right))));
        expect(roundTripped).toEqual({ _tag: "Right", right: p.right });
      }),
      { numRuns: 60 },
    );
  });

  it("a stale plan is refused and changes nothing", async () => {
    const spec: MachineSpec = { generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current: 3 };
    const m = await settled(memoryMachine(spec), spec);
    const p = await planOrThrow(m, { _tag: "Rollback" });
    await switchTo(m, 1);
    const before = m.snapshot();
    const exit = await apply(m, p);
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("StalePlan");
    expect(m.snapshot()).toEqual(before);
  });
});

describe("interpreters", () => {
  it("over the in-memory file system and a real directory produce the same tree", async () => {
    const ops = machineSpec.chain((spec) =>
      fc.tuple(
        fc.constant(spec),
        fc.array(
          fc.oneof(
            pick(spec).map((n) => ({ operation: { _tag: "Switch", spec: String(n) } as Request.Between, mode: "switch" as Plan.Mode })),
            pick(spec).map((n) => ({ operation: { _tag: "Switch", spec: String(n) } as Request.Between, mode: "test" as Plan.Mode })),
            fc.constant({ operation: { _tag: "Rollback" } as Request.Between, mode: "boot" as Plan.Mode }),
            fc.constant({ operation: { _tag: "Delete", pattern: "+2" } as Request.Between, mode: "switch" as Plan.Mode }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(ops, async ([spec, steps]) => {
        const mem = memoryMachine(spec);
        const real = track(realMachine(spec));
        for (const { operation, mode } of steps) {
          const a = await plan(mem, operation, mode);
          const b = await plan(real, operation, mode);
          expect(portable(real, b)).toEqual(portable(mem, a));
          if (a._tag === "Left" || b._tag === "Left") continue;
          const [x, y] = [await apply(mem, a.right), await apply(real, b.right)];
          expect(Exit.isSuccess(x)).toBe(Exit.isSuccess(y));
        }
        expect(real.snapshot()).toEqual(mem.snapshot());
      }),
      { numRuns: 10 },
    );
  });
});

it("generation links keep their creation time across switches", async () => {
  const spec: MachineSpec = { generations: [{ number: 1 }, { number: 2 }], current: 2 };
  const m = await settled(memoryMachine(spec), spec);
  const before = m.snapshot()[linkOf(1)];
  await switchTo(m, 1);
  expect(m.snapshot()[linkOf(1)]).toEqual(before);
});

/**
 * A saved plan runs only while it is what a fresh plan would do: through the real interpreter on
 * the in-memory machine, a change to the live services since the plan was made, a changed manifest
 * of the system an add plan registers, or an edited step each refuse it before anything changes;
 * an unchanged saved add plan (which the planner computes from its recorded creation time) runs.
 */
import { Cause, Effect, Exit, Layer, Option } from "effect";
import { Apply, fixedClock } from "@switchyard/interpreter";
import { MemoryProcessRunner } from "@switchyard/interpreter/testing";
import * as MemoryTar from "../support/memory-tar.js";
import { describe, expect, it } from "vitest";
import * as Observe from "../../packages/interpreter/src/observe/Observe.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as PlanFile from "../../packages/model/src/plan/PlanFile.js";
import type * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import { apply, type Machine, memoryMachine, NOW_MS, observe, planOrThrow, systemOf } from "../support/machine.js";

const web = (n: number) => ({ name: "web", start: ["bin/web", String(n)] }) as unknown as ServiceRecord.ServiceRecordInput;

/** What `apply --plan` gets: the plan after a trip through its file. */
const saved = (p: Parameters<typeof PlanFile.toText>[0]) => {
  const r = PlanFile.fromText(PlanFile.toText(p), "plan.json");
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right;
};

const refusal = (exit: Exit.Exit<unknown, unknown>): { readonly _tag: string; readonly message: string } => {
  if (Exit.isSuccess(exit)) throw new Error("applied");
  const failure = Cause.failureOption(exit.cause);
  if (Option.isNone(failure)) throw new Error(Cause.pretty(exit.cause));
  return failure.value as { readonly _tag: string; readonly message: string };
};

const twoGenerations = () =>
  memoryMachine({
    generations: [
      { number: 1, services: [web(1)] },
      { number: 2, services: [web(2)] },
    ],
    current: 1,
    runningServices: [["web", { generation: 1, system: systemOf(1) }]],
  });

const addPlan = async (m: Machine, system: string) => {
  const world = await observe(m);
  const inRoot = InRootPath.unsafe(system);
  const manifest = await Effect.runPromise(Observe.readManifest(m.root, inRoot).pipe(Effect.provide(m.layer)));
  const p = Transition.adding(world, { system: inRoot, manifest, nowMs: NOW_MS - 5000, utcOffsetMinutes: 60 });
  if (p._tag === "Left") throw new Error(p.left.message);
  return p.right;
};

type MemoryMachine = ReturnType<typeof memoryMachine>;

/** A system directory at `to` with generation 2's manifest under another label (written over any there). */
const copySystem = async (m: MemoryMachine, to: string, label: string) => {
  const manifest = JSON.parse((m.snapshot()[`${systemOf(2)}/manifest.json`] as { content: string }).content) as Record<string, unknown>;
  const file = `${m.root.prefix}${to}/manifest.json`;
  if (m.snapshot()[`${to}/manifest.json`] !== undefined) await Effect.runPromise(m.fs.service.remove(file));
  else m.fs.seed({ [`${m.root.prefix}${to}`]: { kind: "directory" } });
  m.fs.seed({ [file]: { kind: "file", content: JSON.stringify({ ...manifest, label }) } });
};

describe("a saved plan", () => {
  it("is stale once a live service runs another revision, naming it; nothing changes", async () => {
    const m = twoGenerations();
    const p = saved(await planOrThrow(m, { _tag: "Switch", spec: "2" }));
    m.services.running.set("web", { generation: 1, system: systemOf(1), revision: "by-hand" });
    const before = m.snapshot();
    const e = refusal(await apply(m, p));
    expect(e._tag).toBe("StalePlan");
    expect(e.message).toMatch(/^the plan is stale: service web now runs revision by-hand \(the plan expected /);
    expect(m.snapshot()).toEqual(before);
    expect(m.services.log).toEqual([]);
  });

  it("is stale once a service it saw up is down, or one it saw down is up", async () => {
    const m = twoGenerations();
    const p = saved(await planOrThrow(m, { _tag: "Switch", spec: "2" }));
    m.services.running.delete("web");
    expect(refusal(await apply(m, p)).message).toContain("service web is no longer up");
    m.services.running.set("web", { generation: 1, system: systemOf(1) });
    m.services.running.set("cron", { generation: 1, system: systemOf(1) });
    expect(refusal(await apply(m, p)).message).toContain("service cron is up now (the plan expected it down)");
  });

  it("of an add runs when nothing changed, with the creation time it recorded", async () => {
    const m = twoGenerations();
    await copySystem(m, "/store/added", "Added");
    const p = saved(await addPlan(m, "/store/added"));
    expect(Exit.isSuccess(await apply(m, p))).toBe(true);
    const link = m.snapshot()["/var/lib/switchyard/profiles/system-3-link"];
    expect(link).toEqual({ kind: "symlink", target: "/store/added", mtimeMs: NOW_MS - 5000 });
  });

  it("of an add is refused when the system's manifest changed since, naming the step", async () => {
    const m = twoGenerations();
    await copySystem(m, "/store/added", "Added");
    const p = saved(await addPlan(m, "/store/added"));
    await copySystem(m, "/store/added", "Relabelled");
    const before = m.snapshot();
    const e = refusal(await apply(m, p));
    expect(e._tag).toBe("StalePlan");
    expect(e.message).toMatch(/^the plan is not what a fresh plan for the same request does: step 3 is 'write \/boot\/grub\/grub\.cfg \(\d+ bytes\)' in the saved plan but 'write \/boot\/grub\/grub\.cfg \(\d+ bytes\)'/);
    expect(m.snapshot()).toEqual(before);
  });

  it("with a step added is refused, naming the step and both descriptions", async () => {
    const m = twoGenerations();
    const p = saved(await planOrThrow(m, { _tag: "Switch", spec: "2" }));
    const evil = { ...p, steps: [...p.steps, { _tag: "WriteFile", path: InRootPath.unsafe("/etc/shadow"), content: "x" } as const] };
    const before = m.snapshot();
    expect(refusal(await apply(m, evil)).message).toContain(`step ${p.steps.length + 1} is 'write /etc/shadow (1 bytes)' in the saved plan but no step in a fresh plan`);
    expect(m.snapshot()).toEqual(before);
    expect(m.services.log).toEqual([]);
  });

  it("takes its snapshots as it says when the config's snapshot settings changed since", async () => {
    const db = (n: number) => ({ name: "db", start: ["bin/db", String(n)], state: { paths: ["/var/lib/db"], epoch: "1" } }) as unknown as ServiceRecord.ServiceRecordInput;
    const m = memoryMachine({
      generations: [
        { number: 1, services: [db(1)] },
        { number: 2, services: [db(2)] },
      ],
      current: 1,
      runningServices: [["db", { generation: 1, system: systemOf(1) }]],
    });
    const p = saved(await planOrThrow(m, { _tag: "Switch", spec: "2" }));
    const save = p.steps.find((st) => st._tag === "SaveSnapshot");
    expect(save).toMatchObject({ compression: "zstd", recipients: [] });
    const config = JSON.stringify({ snapshots: { compression: "gzip", recipients: ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"] } });
    m.fs.seed({ [`${m.root.prefix}/etc/switchyard/config.json`]: { kind: "file", content: config } });
    // The real tar's in-memory twin, so the snapshot is really archived on the in-memory disk.
    const layer = Layer.mergeAll(m.fs.layer, fixedClock(NOW_MS), MemoryProcessRunner.make({ script: MemoryTar.script(m.fs) }).layer, m.services.layer);
    const applied = await Effect.runPromiseExit(Apply.applyPlan(p, { root: m.root, settings: m.settings, command: "test" }).pipe(Effect.provide(layer)));
    expect(Exit.isSuccess(applied)).toBe(true);
    const meta = m.snapshot()[`/var/lib/switchyard/snapshots/${save?._tag === "SaveSnapshot" ? save.snapshot : ""}/meta.json`] as { content: string } | undefined;
    expect(JSON.parse(meta?.content ?? "{}")).toMatchObject({ compression: "zstd", encrypted: false, recipients: [] });
  });
});

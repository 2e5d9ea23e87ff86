/**
 * Running a plan's checks through the scripted process twin on the in-memory disk: what each check
 * is told and where it runs, what a failing, hanging or garbage-printing check becomes, the
 * built-in checks against the root's files and the running kernel, choices read back for the same
 * transition only, and a saved plan refused once its checks say otherwise.
 */
import { Effect, Exit, Layer } from "effect";
import { describe, expect, it } from "vitest";
import * as ChoiceFile from "../../packages/interpreter/src/checks/ChoiceFile.js";
import * as RunChecks from "../../packages/interpreter/src/checks/RunChecks.js";
import * as Freshness from "../../packages/interpreter/src/apply/Freshness.js";
import { makeMemoryFileSystem } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as MemoryProcessRunner from "../../packages/interpreter/src/memory/MemoryProcessRunner.js";
import * as MemoryServiceManager from "../../packages/interpreter/src/memory/MemoryServiceManager.js";
import { fixedClock } from "../../packages/interpreter/src/node/NodeClock.js";
import * as Observe from "../../packages/interpreter/src/observe/Observe.js";
import { ServiceManager } from "../../packages/interpreter/src/ports/ServiceManager.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";
import * as Choice from "../../packages/model/src/checks/Choice.js";
import type { Item } from "../../packages/model/src/checks/Item.js";
import * as Settings from "../../packages/model/src/world/Settings.js";
import * as Transition from "../../packages/model/src/transition/Transition.js";
import { MEMORY_ROOT, NOW_MS, systemOf, treeOf } from "../support/machine.js";

const ITEM: Item = { id: "db-schema", severity: "error", message: "schema 2, the target needs 3", resolutions: [{ id: "migrate", description: "migrate", migrations: [{ id: "db-v3", run: ["bin/migrate"] }] }, { id: "accept", description: "keep it" }] };

const declared = {
  checks: [
    { name: "good", run: ["bin/good", "--flag"] },
    { name: "fails", run: ["bin/fails"] },
    { name: "hangs", run: ["bin/hangs"], timeout: 1 },
    { name: "garbage", run: ["bin/garbage"] },
  ],
  users: [{ name: "postgres", uid: 71, group: "postgres", gid: 70 }],
  requires: { kernel: "6.1" },
};

const machine = (script: MemoryProcessRunner.Script, kernelRelease = "5.15.0-91-generic") => {
  const tree = treeOf({ generations: [{ number: 1 }, { number: 2 }], current: 1 });
  const file = `${systemOf(2)}/manifest.json`;
  const entry = tree[file];
  const manifest = { ...(JSON.parse(entry?.kind === "file" ? String(entry.content) : "{}") as object), ...declared };
  const seeded: Record<string, MemoryFileSystemEntry> = {};
  for (const [p, e] of Object.entries({ ...tree, [file]: { kind: "file", content: JSON.stringify(manifest) }, "/etc/passwd": { kind: "file", content: "postgres:x:70:70::/:/bin/false\n" }, "/etc/group": { kind: "file", content: "postgres:x:70:\n" } })) {
    seeded[`${MEMORY_ROOT}${p.replace(/\/$/, "")}`] = e as MemoryFileSystemEntry;
  }
  const memory = makeMemoryFileSystem({ now: () => NOW_MS });
  memory.seed(seeded);
  const runner = MemoryProcessRunner.make({ script, kernelRelease });
  const services = MemoryServiceManager.make([]);
  const layer = Layer.mergeAll(memory.layer, fixedClock(NOW_MS), runner.layer, Layer.succeed(ServiceManager, services.service));
  return { root: Root.make(MEMORY_ROOT), runner, layer };
};
type MemoryFileSystemEntry = Parameters<ReturnType<typeof makeMemoryFileSystem>["seed"]>[0][string];

const script: MemoryProcessRunner.Script = (request) => {
  switch (request.argv[0]) {
    case "bin/good":
      return { _tag: "Exit", code: 0, lines: ["{", `"items": [${JSON.stringify(ITEM)}]`, "}"], stderr: ["progress: looking at the database"] };
    case "bin/fails":
      return { _tag: "Exit", code: 2, lines: ["cannot reach the database"] };
    case "bin/hangs":
      return { _tag: "Hang" };
    default:
      return { _tag: "Exit", code: 0, lines: ["OK"] };
  }
};

const planned = (m: ReturnType<typeof machine>) =>
  Effect.gen(function* () {
    const world = yield* Observe.world(m.root, Settings.defaults);
    const plan = Transition.between(world, { operation: { _tag: "Switch", spec: "2" }, mode: "switch", nowMs: 0 });
    if (plan._tag === "Left") throw new Error(plan.left.message);
    return yield* RunChecks.assess(m.root, world, plan.right);
  }).pipe(Effect.provide(m.layer));

describe("running a plan's checks", () => {
  it("each check runs from the target's system directory with its environment; failures, timeouts and garbage are error items naming the check", async () => {
    const m = machine(script);
    const plan = await Effect.runPromise(planned(m));
    expect(plan.items.map((i) => [i.id, i.severity])).toEqual([
      ["users:postgres", "error"],
      ["kernel", "error"],
      ["reboot", "recommendation"],
      ["db-schema", "error"],
      ["check:fails", "error"],
      ["check:hangs", "error"],
      ["check:garbage", "error"],
    ]);
    const message = (id: string) => plan.items.find((i) => i.id === id)?.message;
    expect(message("check:fails")).toContain("exited with status 2 (last output: cannot reach the database)");
    expect(message("check:hangs")).toContain("timed out after 1s");
    expect(message("check:garbage")).toContain("printed no valid report");
    expect(message("kernel")).toContain("kernel 5.15.0-91-generic is running");
    const good = m.runner.runs.find((r) => r.argv[0] === "bin/good");
    expect(good).toMatchObject({ argv: ["bin/good", "--flag"], cwd: `${MEMORY_ROOT}${systemOf(2)}`, timeoutMs: 60_000 });
    expect(good?.env).toMatchObject({ SWITCHYARD_FROM: "1", SWITCHYARD_TO: "2", SWITCHYARD_DIRECTION: "upgrade", SWITCHYARD_FROM_SYSTEM: systemOf(1), SWITCHYARD_TO_SYSTEM: systemOf(2), SWITCHYARD_EPOCHS: "{}" });
    expect(m.runner.runs.find((r) => r.argv[0] === "bin/hangs")?.timeoutMs).toBe(1000);
    expect(plan.choiceKey).toMatchObject({ from: 1, to: 2 });
    expect(plan.choices).toEqual([]);
    expect(plan.migrations).toEqual([]);
  });

  it("a choice recorded for this transition is read back with its migrations; one recorded for another is void", async () => {
    const m = machine((r) => (r.argv[0] === "bin/good" ? script(r) : { _tag: "Exit", code: 0, lines: ['{"items": []}'] }), "6.8.0");
    const first = await Effect.runPromise(planned(m));
    const key = first.choiceKey as Choice.Transition;
    const record = Choice.choose(Choice.reported(null, key, first.items), "db-schema", "migrate");
    if (record._tag === "Left") throw new Error(record.left);
    await Effect.runPromise(ChoiceFile.write(m.root, record.right).pipe(Effect.provide(m.layer)));
    const second = await Effect.runPromise(planned(m));
    expect(second.choices).toEqual([{ item: "db-schema", resolution: "migrate" }]);
    expect(second.migrations.map((x) => x.id)).toEqual(["db-v3"]);
    await Effect.runPromise(ChoiceFile.write(m.root, { ...record.right, transition: { ...key, systems: "0".repeat(64) } }).pipe(Effect.provide(m.layer)));
    const third = await Effect.runPromise(planned(m));
    expect(third.choices).toEqual([]);
    expect(third.migrations).toEqual([]);
  });

  it("a saved plan whose checks now report otherwise is stale, and one whose checks agree is not", async () => {
    let message = "schema 2, the target needs 3";
    const m = machine((r) => (r.argv[0] === "bin/good" ? { _tag: "Exit", code: 0, lines: [JSON.stringify({ items: [{ ...ITEM, message }] })] } : { _tag: "Exit", code: 0, lines: ['{"items": []}'] }), "6.8.0");
    const saved = await Effect.runPromise(planned(m));
    const check = Freshness.check(saved, m.root).pipe(Effect.provide(m.layer));
    expect(Exit.isSuccess(await Effect.runPromiseExit(check))).toBe(true);
    message = "schema 1 now";
    const exit = await Effect.runPromiseExit(check);
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("the checks now report other items");
  });
});

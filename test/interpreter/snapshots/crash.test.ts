/**
 * A crash at every file-system operation of a transition that snapshots a service's data and
 * restores an older snapshot over it (save, restore by the copy-data rule, record the epoch, drop
 * the aside copy): after the crash the data directory holds the old data or the new, whole, or is
 * between the two renames with both copies whole beside it; running the steps again finishes the
 * restore, and the undo step puts the old data back — never a mix, never a missing directory.
 */
import { NoServiceManagerLive, Root, Snapshots, Steps } from "@switchyard/interpreter";
import * as Phase from "../../../packages/interpreter/src/apply/Phase.js";
import { MemoryFileSystem, MemoryProcessRunner, MemoryServiceManager } from "@switchyard/interpreter/testing";
import { GenerationNumber, InRootPath, ServiceRecord, SnapshotId, Settings, StateSteps, type Step } from "@switchyard/model";
import { Effect, Either, Layer } from "effect";
import { describe, expect, it } from "vitest";
import * as MemoryTar from "../../support/memory-tar.js";

const ROOT = "/r";
const DATA = InRootPath.unsafe("/var/lib/blog/files");
const OLD = { "post.txt": { kind: "file", content: "written by generation 1" }, "uploads": { kind: "directory" }, "uploads/a.png": { kind: "file", content: "png-1" } };
const CUR = { "post.txt": { kind: "file", content: "written by generation 2, migrated" }, "extra.txt": { kind: "file", content: "only in 2" } };

const record = ServiceRecord.normalise({ name: "blog", start: ["bin/blog"], state: { paths: [DATA], epoch: "1" } } as unknown as ServiceRecord.ServiceRecordInput);
const ref = (g: number): Step.ServiceRef => ({ system: InRootPath.unsafe(`/store/${g}-system`), generation: GenerationNumber.unsafe(g), record });
const OLD_ID = SnapshotId.of("blog", 1, Date.UTC(2026, 11, 1, 10));
const CUR_ID = SnapshotId.of("blog", 2, Date.UTC(2026, 11, 1, 11));
const move = StateSteps.moveOf(DATA, OLD_ID);
const epoch1 = { read: [1], write: [1] };

const save = (id: SnapshotId.SnapshotId, g: number): Step.Step =>
  ({ _tag: "SaveSnapshot", service: ref(g), snapshot: id, generation: GenerationNumber.unsafe(g), revision: `r${g}`, epoch: epoch1, paths: [DATA], dump: false, takenMs: 0, compression: "zstd", recipients: [] }) as Step.Step;
const forward: ReadonlyArray<Step.Step> = [
  save(CUR_ID, 2),
  { _tag: "RestorePaths", serviceName: "blog", snapshot: OLD_ID, moves: [move] },
  { _tag: "SetDataEpoch", serviceName: "blog", record: { service: "blog", epoch: epoch1, generation: GenerationNumber.unsafe(1), revision: "r1" } },
  { _tag: "DropAside", serviceName: "blog", paths: [move.aside] },
] as ReadonlyArray<Step.Step>;
const undo = { _tag: "UndoRestorePaths", serviceName: "blog", snapshot: OLD_ID, moves: [move] } as Step.Step;

const under = (dir: string) => Object.fromEntries(Object.entries(OLD).map(([k, v]) => [`${ROOT}${dir}/${k}`, v])) as MemoryFileSystem.Tree;

/** A machine whose data was snapshotted by generation 1 (OLD_ID), then rewritten by generation 2. */
const machine = () => {
  const memory = MemoryFileSystem.makeMemoryFileSystem({ seed: { [`${ROOT}/var/lib/switchyard/layout.v1`]: { kind: "file", content: "" }, ...under(DATA) } });
  const runner = MemoryProcessRunner.make({ script: MemoryTar.script(memory) });
  const layer = Layer.mergeAll(memory.layer, runner.layer, MemoryServiceManager.make([]).layer);
  const options = { root: Root.make(ROOT), settings: { activationTimeoutMs: 60_000 } };
  const step = (s: Step.Step) => Effect.runSync(Effect.either(Steps.run(s, options).pipe(Effect.provide(layer))));
  expect(Either.isRight(step(save(OLD_ID, 1)))).toBe(true);
  Effect.runSync(Snapshots.Forget.removeLeftovers(options.root).pipe(Effect.provide(layer)));
  const dir = `${ROOT}${DATA}`;
  for (const name of Object.keys(memory.snapshot({ under: dir })).reverse()) {
    const path = `${dir}/${name}`;
    Effect.runSync(Effect.ignore(Effect.orElse(memory.service.remove(path), () => memory.service.removeDirectory(path))));
  }
  for (const [name, e] of Object.entries(CUR)) Effect.runSync(memory.service.writeNewFile(`${dir}/${name}`, new TextEncoder().encode(e.content)));
  memory.syncAll();
  return { memory, step, data: () => memory.snapshot({ under: dir }), exists: (p: string) => Object.keys(memory.snapshot()).includes(`${ROOT}${p}`) };
};

/** Runs the steps until one fails; whether all succeeded. */
const runAll = (m: ReturnType<typeof machine>, steps: ReadonlyArray<Step.Step>) => steps.every((s) => Either.isRight(m.step(s)));

describe("a crash at every step of a transition that saves and restores state", () => {
  it("leaves the old data or the new, whole; running again finishes it and the undo puts the old back", () => {
    const clean = machine();
    const before = clean.memory.mutationCount();
    expect(runAll(clean, forward)).toBe(true);
    const total = clean.memory.mutationCount() - before;
    expect(clean.data()).toEqual(OLD);
    expect(clean.exists(move.aside) || clean.exists(move.temp)).toBe(false);
    expect(total).toBeGreaterThan(10);

    for (let k = 1; k <= total; k++) {
      for (const recovery of ["forward", "undo"] as const) {
        const m = machine();
        m.memory.failAt(k);
        runAll(m, forward);
        m.memory.clearFaults();
        m.memory.crash();
        // Between the two renames the directory is briefly absent, with both whole copies beside it.
        const data = m.data();
        if (m.exists(DATA)) expect([OLD, CUR], `crash at ${k}`).toContainEqual(data);
        else {
          expect(m.memory.snapshot({ under: `${ROOT}${move.aside}` }), `crash at ${k}: aside`).toEqual(CUR);
          expect(m.memory.snapshot({ under: `${ROOT}${move.temp}` }), `crash at ${k}: temp`).toEqual(OLD);
        }
        if (recovery === "forward") {
          expect(runAll(m, forward), `rerun after crash at ${k}`).toBe(true);
          expect(m.data(), `forward after crash at ${k}`).toEqual(OLD);
          expect(m.exists(move.aside) || m.exists(move.temp)).toBe(false);
          // The replaced data is kept, whole, in its own snapshot.
          const opened = Effect.runSync(Effect.either(Snapshots.Catalogue.read(Root.make(ROOT), CUR_ID).pipe(Effect.provide(m.memory.layer))));
          expect(Either.isRight(opened)).toBe(true);
        } else if (!m.exists("/var/lib/switchyard/state/epochs.json")) {
          // Before the commit (the epoch record is written after the restore): the undo runs.
          expect(Either.isRight(m.step(undo)), `undo after crash at ${k}`).toBe(true);
          expect(m.data(), `undo after crash at ${k}`).toEqual(CUR);
          expect(m.exists(move.aside) || m.exists(move.temp)).toBe(false);
        }
      }
    }
  });
});

describe("with no service manager", () => {
  it("records the state steps with the service steps and carries none out: nothing was really stopped", async () => {
    const m = machine();
    const before = m.memory.snapshot();
    const layer = Layer.mergeAll(m.memory.layer, MemoryProcessRunner.make({ script: MemoryTar.script(m.memory) }).layer, NoServiceManagerLive);
    const options = { root: Root.make(ROOT), settings: { ...Settings.defaults, activationTimeoutMs: 60_000 }, command: "test" };
    const result = await Effect.runPromise(Phase.run([...forward, { _tag: "StopService", service: ref(2) }], "forward", 0, options).pipe(Effect.provide(layer)));
    expect(result).toMatchObject({ failure: null, recorded: 1, stateRecorded: forward.length });
    expect(m.memory.snapshot()).toEqual(before);
  });
});

/**
 * The state planner's decisions, through `Transition.between` as `plan` calls it: keep what the
 * target can read, restore the newest readable snapshot when it cannot, refuse (exit code 10's
 * reason) naming the service, the epochs, the writer and the chain that could migrate the data,
 * restore on rollback when asked, and snapshot the replaced data before every restore.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Plan from "../../../packages/model/src/plan/Plan.js";
import type * as PlanError from "../../../packages/model/src/plan/PlanError.js";
import * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";
import * as ServiceRevision from "../../../packages/model/src/services/ServiceRevision.js";
import * as SnapshotId from "../../../packages/model/src/state/SnapshotId.js";
import * as Stepped from "../../../packages/model/src/state/Stepped.js";
import type * as StateWorld from "../../../packages/model/src/state/StateWorld.js";
import * as Transition from "../../../packages/model/src/transition/Transition.js";
import type * as World from "../../../packages/model/src/world/World.js";
import * as Worlds from "../../support/worlds.js";

const NOW = Date.UTC(2026, 11, 1, 18, 11, 0);
const db = (epoch: unknown, extra: Record<string, unknown> = {}) =>
  ({ name: "db", start: ["bin/db", String(JSON.stringify(epoch))], state: { paths: ["/var/lib/db"], dump: ["bin/dump"], load: ["bin/load"], epoch, ...extra } }) as unknown as ServiceRecord.ServiceRecordInput;
const web = { name: "web", start: ["bin/web"], requires: ["db"] } as unknown as ServiceRecord.ServiceRecordInput;

/** Generation n runs db with epochs[n-1]; `running` is up, with the data recorded as it says. */
const machine = (epochs: ReadonlyArray<unknown>, running: number, extra: Partial<World.World> = {}, dbExtra: Record<string, unknown> = {}): World.World => ({
  ...Worlds.world(
    epochs.map((e, i) => ({ number: i + 1, services: [db(e, dbExtra), web] })),
    { current: running, settings: { serviceManager: "s6" }, liveServices: ["db", "web"] },
  ),
  ...extra,
});

const recordOf = (w: World.World, n: number) => {
  const g = w.generations[n - 1] as World.Generation;
  if (g.manifest._tag !== "Valid") throw new Error("invalid");
  return g.manifest.manifest.services.find((s) => s.name === "db") as ServiceRecord.ServiceRecord;
};
const revisionOf = (w: World.World, n: number) => ServiceRevision.of(Worlds.systemDir(n), recordOf(w, n));

const snapshotOf = (w: World.World, n: number, takenMs: number): StateWorld.Snapshot => ({
  id: SnapshotId.of("db", n, takenMs),
  service: "db",
  generation: n as StateWorld.Snapshot["generation"],
  revision: revisionOf(w, n),
  epoch: (recordOf(w, n).state as NonNullable<ServiceRecord.ServiceRecord["state"]>).epoch,
  takenMs,
  paths: ["/var/lib/db"],
  dump: true,
});

const switchTo = (w: World.World, n: number, state?: "auto" | "keep" | "restore") =>
  Transition.between(w, { operation: { _tag: "Switch", spec: String(n) }, mode: "switch", nowMs: NOW, ...(state === undefined ? {} : { state }) });
const ok = (r: E.Either<PlanError.PlanError, Plan.Plan>): Plan.Plan => {
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};
const tags = (p: Plan.Plan) => p.steps.map((s) => (s._tag === "StopService" || s._tag === "StartService" ? `${s._tag}:${s.service.record.name}` : s._tag));

describe("the state of a transition", () => {
  it("an upgrade the target can read: dump while up, stop, snapshot, start, record the new epoch; the data is kept", () => {
    const w = machine(["1", "2*"], 1);
    const p = ok(switchTo(w, 2));
    expect(p.state).toHaveLength(1);
    expect(p.state[0]).toMatchObject({ service: "db", action: "snapshot", saved: SnapshotId.of("db", 1, NOW), epoch: { read: [1, 2], write: [2] }, loss: null, inClear: true });
    const t = tags(p);
    expect(t.slice(0, 5)).toEqual(["DumpState", "StopService:web", "StopService:db", "SaveSnapshot", "ReplaceSymlink"]);
    expect(t.indexOf("SetDataEpoch")).toBeGreaterThan(t.indexOf("StartService:web"));
    expect(t).not.toContain("RestorePaths");
    expect(p.nowMs).toBe(NOW);
    // The revert puts the record back (none was recorded: forgotten).
    expect(p.revert.filter((s) => s._tag === "SetDataEpoch")).toEqual([{ _tag: "SetDataEpoch", serviceName: "db", record: null }]);
  });

  it("a rollback the target cannot read restores the newest readable snapshot, snapshotting the replaced data first", () => {
    const base = machine(["1", "2"], 2);
    const w: World.World = { ...base, snapshots: [snapshotOf(base, 1, NOW - 3_600_000), snapshotOf(base, 1, NOW - 7_200_000), snapshotOf(base, 2, NOW - 60_000)] };
    const p = ok(switchTo(w, 1));
    const newest = SnapshotId.of("db", 1, NOW - 3_600_000);
    const saved = SnapshotId.of("db", 2, NOW);
    expect(p.state[0]).toMatchObject({ action: "restore", snapshot: newest, saved });
    expect(p.state[0]?.loss).toBe(`db: restores snapshot ${newest} (taken 2026-12-01 17:11:00 UTC, generation 1); changes since then are replaced — kept as snapshot ${saved}`);
    const t = tags(p);
    // Saved before restored, restored before the old code's replacement starts, loaded before its dependent starts.
    expect(t.indexOf("SaveSnapshot")).toBeLessThan(t.indexOf("RestorePaths"));
    expect(t.indexOf("RestorePaths")).toBeLessThan(t.indexOf("StartService:db"));
    expect(t.indexOf("StartService:db") + 1).toBe(t.indexOf("LoadState"));
    expect(t.indexOf("LoadState")).toBeLessThan(t.indexOf("StartService:web"));
    expect(t.slice(t.indexOf("Commit"))).toContain("DropAside");
    // The revert puts the directory back while db is down, and reloads the replaced dump once the old code is up.
    const r = tags({ ...p, steps: p.revert });
    expect(r.indexOf("UndoRestorePaths")).toBeGreaterThan(r.indexOf("StopService:db"));
    expect(r.indexOf("UndoRestorePaths")).toBeLessThan(r.indexOf("StartService:db"));
    expect(p.revert.find((s) => s._tag === "LoadState")).toMatchObject({ snapshot: saved, ifSaved: true });
    expect(r.indexOf("StartService:db") + 1).toBe(r.indexOf("LoadState"));
    expect(r.indexOf("LoadState")).toBeLessThan(r.indexOf("StartService:web"));
  });

  it("every restore keeps what it replaces: the restore's loss names a snapshot the same plan saves", () => {
    const base = machine(["1", "2"], 2);
    const w: World.World = { ...base, snapshots: [snapshotOf(base, 1, NOW - 1000)] };
    for (const state of ["auto", "restore"] as const) {
      const p = ok(switchTo(w, 1, state));
      for (const e of p.state.filter((x) => x.action === "restore")) {
        expect(p.steps.some((s) => s._tag === "SaveSnapshot" && s.snapshot === e.saved)).toBe(true);
        expect(e.loss).toContain(`kept as snapshot ${e.saved}`);
      }
    }
  });

  it("refuses, naming the epochs, the writer and that no generation migrates it, when no snapshot is readable", () => {
    const w = machine(["1", "2"], 2);
    const r = switchTo(w, 1);
    expect(E.isLeft(r) && r.left).toEqual({
      _tag: "PlanError",
      reason: "StateUnreadable",
      message: "db: generation 1 reads epochs 1, but db's data is in epoch 2, written by generation 2, and no snapshot of db it can read exists; no generation can migrate it there: switch to one that reads epoch 2",
    });
  });

  it("names the chain that could step there, and the stepped path's next hop is computed from the generations", () => {
    const w = machine(["0", "1*", "2*"], 1);
    const r = switchTo(w, 3);
    expect(E.isLeft(r) && r.left.message).toBe(
      "db: generation 3 reads epochs 1, 2, but db's data is in epoch 0, written by generation 1, and no snapshot of db it can read exists; generations 1 (epoch 0) → 2 (1*) → 3 (2*) can migrate it step by step: 'switchyard apply switch 3 --stepped'",
    );
    expect(Stepped.next(w, 3)).toBe(2);
    const migrated: World.World = { ...machine(["0", "1*", "2*"], 2), dataEpochs: [{ service: "db", epoch: { read: [0, 1], write: [1] }, generation: 2, revision: null }] as unknown as ReadonlyArray<StateWorld.DataEpoch> };
    expect(Stepped.next(migrated, 3)).toBe(3);
    expect(Stepped.next(machine(["0", "1*", "2*"], 3), 3)).toBeNull();
    expect(E.isRight(switchTo(w, 2))).toBe(true);
  });

  it("A → B → A with restore: on-rollback brings back A's snapshot even though A could read B's data", () => {
    const a = machine(["1", "1"], 1, {}, { restore: "on-rollback" });
    const toB = ok(switchTo(a, 2));
    const takenOfA = toB.state[0]?.saved as string;
    expect(toB.state[0]?.action).toBe("snapshot");
    // Now on B, with A's snapshot in the catalogue.
    const b: World.World = { ...machine(["1", "1"], 2, {}, { restore: "on-rollback" }), snapshots: [{ ...snapshotOf(a, 1, NOW), id: takenOfA as StateWorld.Snapshot["id"] }] };
    const back = ok(switchTo(b, 1));
    expect(back.state[0]).toMatchObject({ action: "restore", snapshot: takenOfA });
    // when-unreadable (the default) keeps the readable data instead.
    const plain: World.World = { ...machine(["1", "1"], 2), snapshots: b.snapshots ?? [] };
    expect(ok(switchTo(plain, 1)).state[0]?.action).toBe("snapshot");
  });

  it("--state keep refuses data the target cannot read; --state restore needs a readable snapshot", () => {
    const base = machine(["1", "2"], 2);
    const w: World.World = { ...base, snapshots: [snapshotOf(base, 1, NOW - 1000)] };
    const keep = switchTo(w, 1, "keep");
    expect(E.isLeft(keep) && keep.left.message).toBe("db: --state keep, but generation 1 reads epochs 1 and db's data is in epoch 2 (written by generation 2)");
    const none = switchTo(machine(["1", "2"], 1), 2, "restore");
    expect(E.isLeft(none) && none.left.reason).toBe("StateUnreadable");
  });

  it("a saved plan computes again to the same steps: the snapshot ids come from the plan's clock reading", () => {
    const w = machine(["1", "2*"], 1);
    const p = ok(switchTo(w, 2));
    const saved = Transition.savedRequest(p);
    if (saved._tag !== "Between") throw new Error("expected a between request");
    const again = ok(Transition.between(w, saved.request));
    expect(Plan.firstDifference(p, again)).toBeNull();
    expect(Plan.decode(JSON.parse(JSON.stringify(Plan.encode(p))))).toEqual(E.right(p));
  });

  it("the recorded data epoch wins over what the running revision declares", () => {
    const w: World.World = { ...machine(["0", "1"], 1), dataEpochs: [{ service: "db", epoch: { read: [1], write: [1] }, generation: 2, revision: null }] as unknown as ReadonlyArray<StateWorld.DataEpoch> };
    // Generation 1 (epoch 0) is running, but the data was written in epoch 1: switching to 2 keeps it.
    expect(ok(switchTo(w, 2)).state[0]?.action).toBe("snapshot");
  });
});

describe("how a plan's snapshots are stored", () => {
  const R = ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq", "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"];
  it("is recorded in the plan and in every SaveSnapshot step: the config is not read at apply", () => {
    const store = { compression: "gzip" as const, recipients: R, keep: { count: 2, maxAgeDays: 30 } };
    const p = ok(switchTo(machine(["1", "2*"], 1, { snapshotStore: store }), 2));
    expect(p.snapshots).toEqual(store);
    const saves = p.steps.filter((st) => st._tag === "SaveSnapshot");
    expect(saves).toHaveLength(1);
    expect(saves[0]).toMatchObject({ compression: "gzip", recipients: R });
    expect(p.state[0]?.inClear).toBe(false);
    const clear = ok(switchTo(machine(["1", "2*"], 1), 2));
    expect(clear.snapshots).toEqual({ compression: "zstd", recipients: [], keep: { count: 5, maxAgeDays: null } });
    expect(clear.steps.find((st) => st._tag === "SaveSnapshot")).toMatchObject({ compression: "zstd", recipients: [] });
    expect(clear.state[0]?.inClear).toBe(true);
  });
});

describe("snapshot save and snapshot restore", () => {
  it("are refused with no service manager: nothing could be stopped while the data is saved or replaced", () => {
    const base = machine(["1"], 1);
    const w: World.World = { ...base, settings: { ...base.settings, serviceManager: "none" }, liveServices: null };
    const s = snapshotOf(base, 1, NOW - 1000);
    const save = Transition.between(w, { operation: { _tag: "SnapshotSave", services: [] }, mode: "test", nowMs: NOW });
    expect(E.isLeft(save) && save.left).toMatchObject({ reason: "Invalid", message: expect.stringMatching(/^snapshot save needs a service manager to stop the service while its data is saved; give --service-manager s6/) });
    const restore = Transition.between({ ...w, snapshots: [s] }, { operation: { _tag: "SnapshotRestore", id: s.id }, mode: "test", nowMs: NOW });
    expect(E.isLeft(restore) && restore.left.message).toMatch(/^snapshot restore needs a service manager/);
  });

  const run = (w: World.World, operation: Plan.Operation) => Transition.between(w, { operation: operation as Transition.Request["operation"], mode: "test", nowMs: NOW });

  it("save: dump while up, stop, archive, start again; nothing else moves", () => {
    const p = ok(run(machine(["1"], 1), { _tag: "SnapshotSave", services: [] }));
    expect(tags(p)).toEqual(["DumpState", "StopService:db", "SaveSnapshot", "StartService:db", "SetDataEpoch", "Commit"]);
    expect(p.state[0]).toMatchObject({ action: "snapshot", saved: SnapshotId.of("db", 1, NOW) });
    expect(tags({ ...p, steps: p.revert })).toEqual(["StopService:db", "StartService:db", "SetDataEpoch"]);
    const unknown = run(machine(["1"], 1), { _tag: "SnapshotSave", services: ["dbx"] });
    expect(E.isLeft(unknown) && unknown.left.message).toBe("'dbx' is not a service with state in generation 1; did you mean 'db'?");
  });

  it("restore: the replaced data is snapshotted first and the loss line names both", () => {
    const base = machine(["1"], 1);
    const s = snapshotOf(base, 1, NOW - 1000);
    const p = ok(run({ ...base, snapshots: [s] }, { _tag: "SnapshotRestore", id: s.id }));
    expect(tags(p)).toEqual(["DumpState", "StopService:db", "SaveSnapshot", "RestorePaths", "StartService:db", "LoadState", "SetDataEpoch", "Commit", "DropAside"]);
    expect(p.state[0]?.loss).toBe(`db: restores snapshot ${s.id} (taken 2026-12-01 18:10:59 UTC, generation 1); changes since then are replaced — kept as snapshot ${SnapshotId.of("db", 1, NOW)}`);
    expect(tags({ ...p, steps: p.revert })).toEqual(["StopService:db", "UndoRestorePaths", "StartService:db", "LoadState", "SetDataEpoch"]);
  });

  it("restore refuses a damaged snapshot (its metadata names another service) with the store's own line", () => {
    const id = SnapshotId.of("db", 1, NOW - 1000);
    const problem = `snapshot ${id} is damaged: its meta.json says it holds web's data, but its id names db; nothing was changed`;
    const r = run({ ...machine(["1"], 1), damagedSnapshots: [{ id, problem }] }, { _tag: "SnapshotRestore", id });
    expect(E.isLeft(r) && r.left).toMatchObject({ reason: "SnapshotDamaged", message: problem });
  });

  it("restore refuses an unknown id (invalid) and a snapshot the running code cannot read (unreadable)", () => {
    const base = machine(["1", "2"], 1);
    const none = run(base, { _tag: "SnapshotRestore", id: "20261201T000000.000Z-g1-db" });
    expect(E.isLeft(none) && none.left).toMatchObject({ reason: "Invalid", message: "there is no snapshot 20261201T000000.000Z-g1-db; see 'switchyard snapshot list'" });
    const newer = snapshotOf(base, 2, NOW - 1000);
    const r = run({ ...base, snapshots: [newer] }, { _tag: "SnapshotRestore", id: newer.id });
    expect(E.isLeft(r) && r.left).toMatchObject({ reason: "StateUnreadable", message: `db: generation 1 reads epochs 1, but snapshot ${newer.id} holds data in epoch 2; switch to a generation that reads it first` });
  });
});

describe("switching to what runs", () => {
  it("touches no data with stateful services either: nothing is snapshotted, nothing recorded", () => {
    const w: World.World = { ...machine(["1", "2*"], 2), serviceRevisions: null };
    const p = ok(switchTo(w, 2));
    // Only the fixture's boot menu is written (it has none yet).
    expect(tags(p).filter((t) => t !== "Commit" && t !== "WriteFile")).toEqual([]);
    expect(p.state.map((s) => s.action)).toEqual(["keep"]);
  });
});

/** The data-epoch check as items: unreadable data is an error item naming the ways out, and the programs a switch runs are told the epochs. */
import { describe, expect, it } from "vitest";
import * as DataEpochCheck from "../../../packages/model/src/checks/DataEpochCheck.js";
import type * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";
import * as SnapshotId from "../../../packages/model/src/state/SnapshotId.js";
import * as TargetEpochs from "../../../packages/model/src/state/TargetEpochs.js";
import type * as World from "../../../packages/model/src/world/World.js";
import * as Worlds from "../../support/worlds.js";

const db = (epoch: unknown) => ({ name: "db", start: ["bin/db", String(epoch)], state: { paths: ["/var/lib/db"], epoch } }) as unknown as ServiceRecord.ServiceRecordInput;
const machine = (epochs: ReadonlyArray<unknown>, running: number): World.World =>
  Worlds.world(
    epochs.map((e, i) => ({ number: i + 1, services: [db(e)] })),
    { current: running, settings: { serviceManager: "s6" }, liveServices: ["db"] },
  );
const gen = (w: World.World, n: number) => w.generations[n - 1] as World.Generation;

describe("the data-epoch check", () => {
  it("reports unreadable data with the stepped path, and a readable snapshot as a restore", () => {
    const w = machine(["0", "1*", "2*"], 1);
    const [item] = DataEpochCheck.items(w, gen(w, 3));
    expect(item).toMatchObject({ id: "state:db", severity: "error", message: "generation 3 reads epochs 1, 2 of db's data, but it is in epoch 0, written by generation 1" });
    expect(item?.resolutions).toEqual([{ id: "stepped", description: "migrate the data step by step through generations 1 (epoch 0) → 2 (1*) → 3 (2*): run 'switchyard apply switch 3 --stepped'" }]);
    expect(DataEpochCheck.items(w, gen(w, 2))).toEqual([]);
    const taken = Date.UTC(2026, 0, 2, 3, 4, 5);
    const withSnapshot = { ...w, snapshots: [{ id: SnapshotId.of("db", 3, taken), service: "db", generation: 3, revision: null, epoch: { read: [2], write: [2] }, takenMs: taken, paths: ["/var/lib/db"], dump: false }] } as unknown as World.World;
    expect(DataEpochCheck.items(withSnapshot, gen(w, 3))[0]?.resolutions?.map((r) => r.id)).toEqual(["restore", "stepped"]);
    expect(DataEpochCheck.items(withSnapshot, gen(w, 3))[0]?.resolutions?.[0]?.description).toContain("run 'switchyard apply switch 3 --state restore'");
    // A plan that restores the service itself has nothing to report.
    expect(DataEpochCheck.items(withSnapshot, gen(w, 3), new Set(["db"]))).toEqual([]);
  });

  it("SWITCHYARD_EPOCHS: each stateful service of the target, its epoch and its data's, normalised", () => {
    const w = machine(["0", "1*"], 1);
    expect(JSON.parse(TargetEpochs.json(TargetEpochs.of(w, gen(w, 2))))).toEqual({ db: { epoch: { read: [0, 1], write: [1] }, data: { read: [0], write: [0] } } });
    expect(TargetEpochs.json([])).toBe("{}");
  });
});

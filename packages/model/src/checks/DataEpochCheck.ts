/**
 * The data-epoch check as items: a target that cannot read a stateful service's data gets an
 * error item `state:<service>` whose resolutions are the ways out the state work offers, restoring
 * a snapshot the target can read (`--state restore`) or the stepped path through generations that
 * migrate the data (`--stepped`). These items are informative: the plan itself refuses such a
 * switch (exit 10) unless it restores a snapshot on its own, so a resolution runs no migration and
 * its description says which command takes that way; choosing one would settle nothing.
 */
import * as Epoch from "../state/Epoch.js";
import * as SnapshotId from "../state/SnapshotId.js";
import * as Stepped from "../state/Stepped.js";
import * as StateWorld from "../state/StateWorld.js";
import * as TargetEpochs from "../state/TargetEpochs.js";
import type * as World from "../world/World.js";
import type { Item, Resolution } from "./Item.js";

const newest = (snapshots: ReadonlyArray<StateWorld.Snapshot>): StateWorld.Snapshot | null =>
  snapshots.reduce<StateWorld.Snapshot | null>((best, s) => (best === null || s.takenMs > best.takenMs || (s.takenMs === best.takenMs && s.id > best.id) ? s : best), null);

const generationText = (g: number | null): string => (g === null ? "an unknown generation" : `generation ${g}`);

/**
 * One error item per service of `target` whose data it cannot read, except those in `handled`
 * (the plan restores a snapshot of them already).
 */
export const items = (world: World.World, target: World.Generation, handled: ReadonlySet<string> = new Set()): ReadonlyArray<Item> =>
  TargetEpochs.unreadable(TargetEpochs.of(world, target))
    .filter((e) => !handled.has(e.service))
    .map((e) => {
      const n = target.number;
      const snapshot = newest(StateWorld.snapshotsOf(world, e.service).filter((s) => Epoch.canRead(e.epoch, s.epoch)));
      const chain = Stepped.chainFor(world, e.service, e.data, n);
      const resolutions: Array<Resolution> = [
        ...(snapshot === null
          ? []
          : [
              {
                id: "restore",
                description: `restore snapshot ${snapshot.id} (taken ${SnapshotId.utcText(snapshot.takenMs)}, epoch ${Epoch.display(snapshot.epoch)}); changes since then are replaced, the data now is kept as a snapshot first: run 'switchyard apply switch ${n} --state restore'`,
              },
            ]),
        ...(chain === null ? [] : [{ id: "stepped", description: `migrate the data step by step through generations ${Stepped.describeChain(chain)}: run 'switchyard apply switch ${n} --stepped'` }]),
      ];
      const way = resolutions.length === 0 ? `; no snapshot or generation helps: switch to one that reads epoch ${Epoch.display(e.data.epoch)}` : "";
      return {
        id: `state:${e.service}`,
        severity: "error" as const,
        message: `generation ${n} reads epochs ${e.epoch.read.join(", ")} of ${e.service}'s data, but it is in epoch ${Epoch.display(e.data.epoch)}, written by ${generationText(e.data.generation)}${way}`,
        resolutions,
      };
    });

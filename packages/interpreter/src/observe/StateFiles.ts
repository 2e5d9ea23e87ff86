/**
 * What the state planner reads of services' data: the data-epoch record
 * (`<stateDir>/state/epochs.json`) and the snapshot catalogue, as summaries. A damaged snapshot is
 * left out here (it can restore nothing; `snapshot list` shows it); an unreadable record is an
 * error naming the file, since deciding to keep or restore data from a guess would be worse.
 */
import { DataEpochs, Decode as ModelDecode, SnapshotMeta, type SnapshotStore, type StateWorld, World } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError } from "../Errors.js";
import * as Root from "../root/Root.js";
import * as Catalogue from "../snapshots/Catalogue.js";
import * as SnapshotConfig from "../snapshots/SnapshotConfig.js";
import * as Absent from "../ports/Absent.js";

export const epochsPath = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/${DataEpochs.PATH_IN_STATE}`);

/** The record; absent is empty. */
export const readEpochs = (root: Root.Root) =>
  Effect.gen(function* () {
    const file = epochsPath(root);
    const bytes = yield* Absent.readFile(file, (e) => new ObserveError({ reason: "Io", message: `cannot read ${file}: ${e.message}` }));
    if (bytes === null) return DataEpochs.empty;
    const decoded = ModelDecode.text(DataEpochs.File, new TextDecoder().decode(bytes), file);
    if (decoded._tag === "Left") {
      return yield* new ObserveError({ reason: "Config", message: `${ModelDecode.describe(decoded.left)}; the data epochs on record cannot be read, restore the file from a backup` });
    }
    return decoded.right;
  });

/**
 * `store`: how new snapshots are stored, when the caller already knows (a saved plan records it);
 * otherwise the config's `snapshots` section is read for it.
 */
export const observe = (root: Root.Root, store?: SnapshotStore.SnapshotStore) =>
  Effect.gen(function* () {
    const epochs = yield* readEpochs(root);
    const catalogue = yield* Catalogue.list(root).pipe(Effect.mapError((e) => new ObserveError({ reason: "Io", message: e.message })));
    // Oldest first, as the World's field is ordered.
    const snapshots = [...catalogue.snapshots].reverse().map(SnapshotMeta.summary);
    // Every command but `apply --plan` has refused a broken config already; a saved plan runs without reading it.
    const config = store === undefined ? yield* Effect.option(SnapshotConfig.read(root)) : null;
    const snapshotStore = store ?? (config?._tag === "Some" ? { compression: config.value.compression, recipients: config.value.recipients, keep: config.value.keep } : undefined);
    const damagedSnapshots = catalogue.damaged.map((d) => ({ id: d.id, problem: d.problem }));
    return { dataEpochs: epochs.services, snapshots, damagedSnapshots, ...(snapshotStore === undefined ? {} : { snapshotStore }) } satisfies StateWorld.Observed;
  });

/**
 * What the state planner reads of services' data: the data-epoch record
 * (`<stateDir>/state/epochs.json`) and the snapshot catalogue, as summaries. A damaged snapshot is
 * left out here (it can restore nothing; `snapshot list` shows it); an unreadable record is an
 * error naming the file, since deciding to keep or restore data from a guess would be worse.
 */
import { DataEpochs, Decode as ModelDecode, SnapshotMeta, type StateWorld, World } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError } from "../Errors.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as Catalogue from "../snapshots/Catalogue.js";
import * as SnapshotConfig from "../snapshots/SnapshotConfig.js";

export const epochsPath = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/${DataEpochs.PATH_IN_STATE}`);

/** The record; absent is empty. */
export const readEpochs = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = epochsPath(root);
    const bytes = yield* fs.readFile(file).pipe(
      Effect.map((b): Uint8Array | null => b),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
      Effect.mapError((e) => new ObserveError({ reason: "Io", message: `cannot read ${file}: ${e.message}` })),
    );
    if (bytes === null) return DataEpochs.empty;
    const decoded = ModelDecode.text(DataEpochs.File, new TextDecoder().decode(bytes), file);
    if (decoded._tag === "Left") {
      return yield* new ObserveError({ reason: "Config", message: `${ModelDecode.describe(decoded.left)}; the data epochs on record cannot be read, restore the file from a backup` });
    }
    return decoded.right;
  });

export const observe = (root: Root.Root) =>
  Effect.gen(function* () {
    const epochs = yield* readEpochs(root);
    const catalogue = yield* Catalogue.list(root).pipe(Effect.mapError((e) => new ObserveError({ reason: "Io", message: e.message })));
    // Oldest first, as the World's field is ordered.
    const snapshots = [...catalogue.snapshots].reverse().map(SnapshotMeta.summary);
    // Every command but `apply --plan` has refused a broken config already; a saved plan runs without reading it.
    const config = yield* Effect.option(SnapshotConfig.read(root));
    const encrypted = config._tag === "Some" ? { snapshotsEncrypted: config.value.recipients.length > 0 } : {};
    return { dataEpochs: epochs.services, snapshots, ...encrypted } satisfies StateWorld.Observed;
  });

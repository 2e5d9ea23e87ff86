/**
 * The steps that carry a service's data through a transition. The planner (`StatePlan`) puts them
 * in order; the interpreter runs them; every one is idempotent, like every other step. Where the
 * files go (a snapshot's directory, the data-epoch record) is the store's layout under the plan's
 * `settings.stateDir`, so a step names the snapshot by id and the data by its in-root paths.
 *
 * - DumpState: run the record's `dump` program while the service still runs, with
 *   SWITCHYARD_STATE_DIR set to the staging snapshot's dump directory (as the record's user).
 * - SaveSnapshot: archive `paths` (the service is stopped now) with the dump, write meta.json last
 *   and commit the snapshot by rename. Done when the snapshot is already committed. It carries the
 *   compression and age recipients the plan was computed with: the config is not read again.
 * - RestorePaths: snapd's copy-data rule per directory: `path` moved to `aside`, the snapshot's
 *   archive of it unpacked into `temp` and renamed to `path`. `UndoRestorePaths` (its revert) puts
 *   `aside` back at `path`, dropping what was unpacked.
 * - LoadState: after the target's service started and before its dependents, run `load` on the
 *   snapshot's dump (unpacked to a temporary directory given in SWITCHYARD_STATE_DIR).
 * - SetDataEpoch: record (null: forget) the data epoch of `service` in the state directory.
 * - DropAside: after Commit, remove the moved-aside copies (the data they held is in a snapshot).
 */
import * as t from "io-ts";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import { InRootPathCodec } from "../paths/InRootPathCodec.js";
import { ServiceRef } from "../plan/ServiceRef.js";
import * as Epoch from "./Epoch.js";
import { SnapshotIdCodec } from "./SnapshotId.js";
import * as SnapshotMeta from "./SnapshotMeta.js";
import { DataEpoch } from "./StateWorld.js";

const tagged = <Tag extends string, P extends t.Props>(tag: Tag, props: P) => t.readonly(t.type({ _tag: t.literal(tag), ...props }, tag));

/** One directory of a restore: the live `path`, where it is moved aside, and the temp sibling unpacked into. */
export const Move = t.readonly(t.type({ path: InRootPathCodec, aside: InRootPathCodec, temp: InRootPathCodec }, "Move"));
export type Move = t.TypeOf<typeof Move>;

export const DumpState = tagged("DumpState", { service: ServiceRef, snapshot: SnapshotIdCodec });
export const SaveSnapshot = tagged("SaveSnapshot", {
  /** The revision whose data it holds (the one running before the transition). */
  service: ServiceRef,
  snapshot: SnapshotIdCodec,
  generation: t.union([GenerationNumberCodec, t.null]),
  revision: t.string,
  /** The epoch of the data, as the data-epoch record says (the writer's epoch). */
  epoch: Epoch.EpochCodec,
  paths: t.readonlyArray(InRootPathCodec),
  /** Whether a DumpState step filled the snapshot's dump directory before. */
  dump: t.boolean,
  takenMs: t.number,
  compression: SnapshotMeta.Compression,
  /** age public keys the archives are encrypted to; none: stored in clear. */
  recipients: t.readonlyArray(t.string),
});
export const RestorePaths = tagged("RestorePaths", { serviceName: t.string, snapshot: SnapshotIdCodec, moves: t.readonlyArray(Move) });
export const UndoRestorePaths = tagged("UndoRestorePaths", { serviceName: t.string, snapshot: SnapshotIdCodec, moves: t.readonlyArray(Move) });
/** `ifSaved` (in a revert): a snapshot that was never committed means the forward steps never got that far: done. */
export const LoadState = t.readonly(
  t.intersection([t.type({ _tag: t.literal("LoadState"), service: ServiceRef, snapshot: SnapshotIdCodec }), t.partial({ ifSaved: t.boolean })], "LoadState"),
);
export const SetDataEpoch = tagged("SetDataEpoch", { serviceName: t.string, record: t.union([DataEpoch, t.null]) });
export const DropAside = tagged("DropAside", { serviceName: t.string, paths: t.readonlyArray(InRootPathCodec) });

export type DumpState = t.TypeOf<typeof DumpState>;
export type SaveSnapshot = t.TypeOf<typeof SaveSnapshot>;
export type RestorePaths = t.TypeOf<typeof RestorePaths>;
export type UndoRestorePaths = t.TypeOf<typeof UndoRestorePaths>;
export type LoadState = t.TypeOf<typeof LoadState>;
export type SetDataEpoch = t.TypeOf<typeof SetDataEpoch>;
export type DropAside = t.TypeOf<typeof DropAside>;
export type StateStep = DumpState | SaveSnapshot | RestorePaths | UndoRestorePaths | LoadState | SetDataEpoch | DropAside;

/** Sibling names of a restored directory; the snapshot id keeps two restores of one path apart. */
export const moveOf = (path: t.TypeOf<typeof InRootPathCodec>, snapshot: string): Move => ({
  path,
  aside: `${path}.switchyard-old-${snapshot}` as Move["aside"],
  temp: `${path}.switchyard-new-${snapshot}` as Move["temp"],
});

const list = (paths: ReadonlyArray<string>): string => paths.join(", ");

export const describe = (step: StateStep): string => {
  switch (step._tag) {
    case "DumpState":
      return `dump ${step.service.record.name}'s state into snapshot ${step.snapshot} (while it runs)`;
    case "SaveSnapshot":
      return `save snapshot ${step.snapshot} of ${step.service.record.name}${step.paths.length > 0 ? ` (${list(step.paths)})` : ""}, epoch ${Epoch.display(step.epoch)}`;
    case "RestorePaths":
      return `restore ${list(step.moves.map((m) => m.path))} of ${step.serviceName} from snapshot ${step.snapshot} (the current data moved aside)`;
    case "UndoRestorePaths":
      return `put back ${list(step.moves.map((m) => m.path))} of ${step.serviceName} as they were before snapshot ${step.snapshot} was restored`;
    case "LoadState":
      return `load ${step.service.record.name}'s state from snapshot ${step.snapshot}`;
    case "SetDataEpoch":
      return step.record === null ? `forget the data epoch of ${step.serviceName}` : `record ${step.serviceName}'s data as epoch ${Epoch.display(step.record.epoch)} (generation ${step.record.generation ?? "none"})`;
    case "DropAside":
      return `remove the moved-aside copies of ${list(step.paths)} of ${step.serviceName} (kept in a snapshot)`;
  }
};

const TAGS: ReadonlySet<string> = new Set(["DumpState", "SaveSnapshot", "RestorePaths", "UndoRestorePaths", "LoadState", "SetDataEpoch", "DropAside"]);

/** Whether a step carries a service's data (one of this module's). */
export const isStateStep = (step: { readonly _tag: string }): step is StateStep => TAGS.has(step._tag);

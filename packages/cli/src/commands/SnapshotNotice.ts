/**
 * The line `list` and `describe` end with about how snapshots of services' data are stored: in
 * clear when no `snapshots.recipients` are configured (so nobody keeps unencrypted copies of a
 * database without knowing), else encrypted with age to how many recipients — and how many
 * older snapshots are still in clear.
 */
import { type SnapshotMeta, SnapshotStore } from "@switchyard/model";
import { Snapshots } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The notice for a catalogue and the configured store; "" when there is nothing to say. `stateful`: the generation shown declares state. */
export const text = (snapshots: ReadonlyArray<SnapshotMeta.Meta>, store: SnapshotStore.SnapshotStore, stateful: boolean): string => {
  const clear = snapshots.filter((s) => !s.encrypted).length;
  if (!SnapshotStore.encrypted(store)) {
    if (clear > 0) return `note: ${plural(clear, "snapshot of a service's data is", "snapshots of services' data are")} stored in clear ('switchyard snapshot list'); set snapshots.recipients to encrypt new ones\n`;
    return stateful ? "note: snapshots of services' data are stored in clear: no snapshots.recipients (age public keys) configured\n" : "";
  }
  if (snapshots.length === 0 && !stateful) return "";
  const older = clear === 0 ? "" : `; ${plural(clear, "older one is", "older ones are")} stored in clear ('switchyard snapshot list')`;
  return `note: snapshots of services' data are ${SnapshotStore.encryption(store)}${older}\n`;
};

export const storage = (ctx: CommandContext, stateful = false) =>
  Effect.gen(function* () {
    const catalogue = yield* Snapshots.Catalogue.list(ctx.root);
    const config = yield* Snapshots.SnapshotConfig.read(ctx.root);
    return text(catalogue.snapshots, { ...SnapshotStore.defaults, ...config }, stateful);
  }).pipe(
    // A notice, not a check: an unreadable catalogue or config is for `snapshot list` to report.
    Effect.orElseSucceed(() => ""),
  );

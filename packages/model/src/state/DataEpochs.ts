/**
 * `<stateDir>/state/epochs.json`: for each stateful service, the epoch of the data on disk and the
 * generation and revision that wrote it. A restore or a switch that changes the data's format
 * rewrites the entry (atomically); the planner reads it to decide keep, restore or refuse.
 */
import * as t from "io-ts";
import { strict } from "../internal/Strict.js";
import * as SnapshotMeta from "./SnapshotMeta.js";

export const PATH_IN_STATE = "state/epochs.json";

export const Entry = strict(
  {
    epoch: SnapshotMeta.Epoch,
    generation: t.number,
    revision: t.union([t.string, t.null]),
  },
  "data epoch",
);
export type Entry = t.TypeOf<typeof Entry>;

export const File = strict({ version: t.literal(1), services: t.record(t.string, Entry) }, "data epochs");
export type File = t.TypeOf<typeof File>;

export const empty: File = { version: 1, services: {} };

/** The file with `service`'s entry set (services sorted, so the text is canonical). */
export const withEntry = (file: File, service: string, entry: Entry): File => {
  const services: Record<string, Entry> = {};
  for (const name of [...new Set([...Object.keys(file.services), service])].sort()) {
    services[name] = name === service ? entry : (file.services[name] as Entry);
  }
  return { version: 1, services };
};

export const toText = (file: File): string => `${JSON.stringify(file, null, 2)}\n`;

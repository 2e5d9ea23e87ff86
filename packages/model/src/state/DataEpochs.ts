/**
 * `<stateDir>/state/epochs.json`: for each stateful service, the epoch of the data on disk and the
 * generation and revision that wrote it (`StateWorld.DataEpoch`), sorted by service. A restore or a
 * switch that changes the data's format rewrites it atomically; the planner reads it to decide
 * whether to keep the data, restore a snapshot or refuse.
 */
import * as t from "io-ts";
import { strict } from "../internal/Strict.js";
import { DataEpoch } from "./StateWorld.js";

/** Under the state directory. */
export const PATH_IN_STATE = "state/epochs.json";

export const File = strict({ version: t.literal(1), services: t.readonlyArray(DataEpoch) }, "data epochs");
export type File = t.TypeOf<typeof File>;

export const empty: File = { version: 1, services: [] };

/** The file with `service`'s record set (null: removed); sorted by service, so the text is canonical. */
export const withRecord = (file: File, service: string, record: DataEpoch | null): File => ({
  version: 1,
  services: [...file.services.filter((d) => d.service !== service), ...(record === null ? [] : [{ ...record, service }])].sort((a, b) =>
    a.service < b.service ? -1 : a.service > b.service ? 1 : 0,
  ),
});

export const toText = (file: File): string => `${JSON.stringify(File.encode(file), null, 2)}\n`;

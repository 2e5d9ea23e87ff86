/**
 * A service's revision: a short digest of what it runs, so `status` can tell which generation's code
 * each service is on. It covers the fields a switch compares (`description` is left out, as the
 * diff ignores it) and the system directory, because the service's working directory and relative
 * programs resolve there: the same record in two system directories runs different files.
 */
import { fnv1a64 } from "../internal/Hash.js";
import * as ServiceDiff from "./ServiceDiff.js";
import type * as ServiceRecord from "./ServiceRecord.js";

export const of = (system: string, record: ServiceRecord.ServiceRecord): string => fnv1a64(canonical(system, record));

/** The revision a service reference asks for. */
export const ofRef = (ref: { readonly system: string; readonly record: ServiceRecord.ServiceRecord }): string => of(ref.system, ref.record);

/** Fields added after revisions were first recorded: left out while unset, so older revisions stay what they were. */
const LATER: ReadonlySet<string> = new Set(["user", "group", "state"]);

/** Field order fixed by the diff's table, env sorted: equal records always give equal text. */
const canonical = (system: string, record: ServiceRecord.ServiceRecord): string =>
  JSON.stringify([
    system,
    ...ServiceDiff.SIGNIFICANT_FIELDS.filter((field) => !(LATER.has(field) && record[field] === null)).map((field) => {
      const value = record[field];
      if (field === "env") return Object.entries(record.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return LATER.has(field) ? [field, value] : value;
    }),
  ]);

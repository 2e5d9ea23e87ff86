/**
 * What a check reports: items of three severities, each with the resolutions that would settle it,
 * and each resolution with the migrations it runs. This is the wire format of a check program's
 * output (`{"items": [...]}`) and of the choices and migrations the state directory keeps.
 */
import * as t from "io-ts";
import { strict, strictPartial } from "../internal/Strict.js";
import { Program } from "../services/ServiceRecord.js";

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Item, resolution and migration ids appear on command lines (`switchyard choose ITEM RESOLUTION`). */
export const Id = new t.Type<string, string, unknown>(
  "id",
  (u): u is string => typeof u === "string" && ID.test(u),
  (u, c) =>
    typeof u !== "string"
      ? t.failure(u, c, "expected an id (string)")
      : ID.test(u)
        ? t.success(u)
        : t.failure(u, c, `invalid id '${u}': use letters, digits and . _ : - (starting with a letter or digit)`),
  (a) => a,
);

export const Severity = t.keyof({ error: null, warning: null, recommendation: null }, "severity");
export type Severity = t.TypeOf<typeof Severity>;

/** A migration's timeout in whole seconds, as the other timeouts. */
const TimeoutSeconds = new t.Type<number, number, unknown>(
  "timeout",
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 86400,
  (u, c) => (typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 86400 ? t.success(u) : t.failure(u, c, "expected whole seconds from 1 to 86400")),
  (a) => a,
);

export const Migration = strictPartial(
  { id: Id, run: Program },
  {
    /** Migration ids, from this or any other chosen resolution, that must be done first. */
    requires: t.array(Id),
    /** Run as this user (default: the user switchyard runs as). */
    user: t.string,
    timeout: TimeoutSeconds,
    /** Scheduled around a reboot: run before the machine reboots into the target, or after. */
    reboot: t.keyof({ before: null, after: null }),
    /** What a failure does to the switch: revert it (default) or hold it where it is. */
    onFailure: t.keyof({ revert: null, hold: null }),
  },
  "migration",
);
export type Migration = t.TypeOf<typeof Migration>;

export const Resolution = strictPartial({ id: Id, description: t.string }, { migrations: t.array(Migration) }, "resolution");
export type Resolution = t.TypeOf<typeof Resolution>;

export const Item = strictPartial(
  { id: Id, severity: Severity, message: t.string },
  { resolutions: t.array(Resolution) },
  "item",
);
export type Item = t.TypeOf<typeof Item>;

/** A check program's whole output. */
export const Report = strict({ items: t.array(Item) }, "check report");
export type Report = t.TypeOf<typeof Report>;

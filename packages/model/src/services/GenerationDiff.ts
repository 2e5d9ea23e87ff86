/**
 * What differs between two generations, as `switchyard diff A B` shows it (like `rpm-ostree db
 * diff`): the label, the boot entry (kernel, initrd, parameters), the activation script, and the
 * services added, removed and changed — each changed one with the fields that differ and what a
 * switch from A to B would do to it under the diff rules (`ServiceDiff.between`, with every service
 * of A running), so a service that only follows a changed requirement shows up too.
 */
import * as E from "fp-ts/lib/Either.js";
import * as Manifest from "../world/Manifest.js";
import * as ServiceDiff from "./ServiceDiff.js";
import * as ServiceGraph from "./ServiceGraph.js";
import type * as ServiceRecord from "./ServiceRecord.js";
import type * as World from "../world/World.js";

export interface Change<A> {
  readonly from: A;
  readonly to: A;
}

/** What a switch from A to B does to a service that is in both. */
export type Decision = "stop-start" | "restart" | "reload" | "keep-old-code" | "none";

export interface ServiceChange {
  readonly name: string;
  /** The compared fields that differ (`ServiceDiff.changedFields`); empty when only a requirement changed. */
  readonly fields: ReadonlyArray<string>;
  readonly decision: Decision;
  /** The requirement that stops it, when that is the only reason it stops. */
  readonly follows: string | null;
}

export interface Removed {
  readonly name: string;
  /** Whether a switch stops it (its `stopOnRemoval`), or leaves it running old code. */
  readonly stops: boolean;
}

export interface Side {
  readonly number: number;
  readonly system: string;
  readonly label: string;
}

export interface GenerationDiff {
  readonly from: Side;
  readonly to: Side;
  readonly label: Change<string> | null;
  readonly boot: {
    readonly kernel: Change<string> | null;
    readonly initrd: Change<string | null> | null;
    readonly params: { readonly from: ReadonlyArray<string>; readonly to: ReadonlyArray<string>; readonly added: ReadonlyArray<string>; readonly removed: ReadonlyArray<string> } | null;
  };
  readonly activate: Change<string | null> | null;
  readonly services: {
    readonly added: ReadonlyArray<string>;
    readonly removed: ReadonlyArray<Removed>;
    readonly changed: ReadonlyArray<ServiceChange>;
    readonly unchanged: ReadonlyArray<string>;
  };
}

export interface DiffError {
  readonly _tag: "DiffError";
  readonly message: string;
}

const change = <A>(from: A, to: A): Change<A> | null => (from === to ? null : { from, to });

const manifestOf = (g: World.Generation): E.Either<DiffError, Manifest.Manifest> =>
  g.manifest._tag === "Valid"
    ? E.right(g.manifest.manifest)
    : E.left({ _tag: "DiffError", message: `generation ${g.number} cannot be compared: ${Manifest.errorLine(g.manifest.error)}` });

const paramsChange = (from: ReadonlyArray<string>, to: ReadonlyArray<string>): GenerationDiff["boot"]["params"] => {
  if (from.length === to.length && from.every((p, i) => p === to[i])) return null;
  return { from, to, added: to.filter((p) => !from.includes(p)), removed: from.filter((p) => !to.includes(p)) };
};

const decisionOf = (d: ServiceDiff.ServiceDiff, name: string): Decision => {
  const has = (records: ReadonlyArray<ServiceRecord.ServiceRecord>) => records.some((r) => r.name === name);
  if (has(d.stop) && has(d.start)) return "stop-start";
  if (has(d.restart)) return "restart";
  if (has(d.reload)) return "reload";
  if (d.skip.includes(name)) return "keep-old-code";
  return "none";
};

export const between = (a: World.Generation, b: World.Generation): E.Either<DiffError, GenerationDiff> => {
  const ma = manifestOf(a);
  if (E.isLeft(ma)) return ma;
  const mb = manifestOf(b);
  if (E.isLeft(mb)) return mb;
  const [from, to] = [ma.right, mb.right];
  const old = Manifest.graphOf(from);
  const next = Manifest.graphOf(to);
  const switched = ServiceDiff.between(old, next, new Set(old.order), "live");
  const stopping = new Set(switched.stop.flatMap((r) => [r.name, ...r.provides]));
  const changed: Array<ServiceChange> = [];
  const unchanged: Array<string> = [];
  for (const name of next.order) {
    const before = old.records.get(name);
    const after = next.records.get(name);
    if (before === undefined || after === undefined) continue;
    const fields = ServiceDiff.changedFields(before, after);
    const decision = decisionOf(switched, name);
    if (fields.length === 0 && decision === "none") unchanged.push(name);
    else changed.push({ name, fields, decision, follows: fields.length === 0 ? (after.requires.find((r) => stopping.has(r) && r !== name) ?? null) : null });
  }
  const byName = (x: { readonly name: string }, y: { readonly name: string }) => ServiceGraph.compareNames(x.name, y.name);
  return E.right({
    from: { number: a.number, system: a.system, label: from.label },
    to: { number: b.number, system: b.system, label: to.label },
    label: change(from.label, to.label),
    boot: { kernel: change(from.boot.kernel, to.boot.kernel), initrd: change(from.boot.initrd, to.boot.initrd), params: paramsChange(from.boot.params, to.boot.params) },
    activate: change(from.activate, to.activate),
    services: {
      added: next.order.filter((n) => !old.records.has(n)).sort(ServiceGraph.compareNames),
      removed: old.order
        .filter((n) => !next.records.has(n))
        .map((name) => ({ name, stops: old.records.get(name)?.stopOnRemoval ?? true }))
        .sort(byName),
      changed: changed.sort(byName),
      unchanged: unchanged.sort(ServiceGraph.compareNames),
    },
  });
};

/** Nothing differs that a switch would act on or the boot menu would show. */
export const isEmpty = (d: GenerationDiff): boolean =>
  d.label === null &&
  d.boot.kernel === null &&
  d.boot.initrd === null &&
  d.boot.params === null &&
  d.activate === null &&
  d.services.added.length === 0 &&
  d.services.removed.length === 0 &&
  d.services.changed.length === 0;

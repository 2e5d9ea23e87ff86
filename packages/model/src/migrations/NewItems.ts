/**
 * Items a migration reports while it runs are pending items like the checks' ones: kept with the
 * choices made for them in the same record format (`Choice.File`, `<stateDir>/migrations/items.json`),
 * keyed by the graph's transition, and settled the same way (`switchyard choose`). Continuing the
 * graph adds the migrations of their chosen resolutions to it (`extend`: it must stay a graph) and
 * lifts the pause, once no error item among them is left without a chosen resolution.
 */
import * as E from "fp-ts/lib/Either.js";
import * as Choice from "../checks/Choice.js";
import type { Item, Migration } from "../checks/Item.js";
import * as Canonical from "../internal/Canonical.js";
import * as Graph from "./Graph.js";
import * as MigrationRecord from "./Record.js";

/** A graph always has a target: `BeginMigrations` is only in plans that switch to a generation. */
export const keyOf = (record: MigrationRecord.GraphRecord): Choice.Transition =>
  Choice.keyOf({ from: record.from, to: record.to ?? (record.from as number), fromSystem: record.fromSystem, toSystem: record.toSystem ?? "" });

/** The record if it was made for this graph's transition, else null (it belongs to a graph that ended). */
export const current = (file: Choice.File | null, record: MigrationRecord.GraphRecord): Choice.File | null =>
  file !== null && Choice.sameTransition(file.transition, keyOf(record)) ? file : null;

/** The record once `items` were reported: an item reported again (a migration run again) replaces its namesake. */
export const reported = (file: Choice.File | null, record: MigrationRecord.GraphRecord, items: ReadonlyArray<Item>): Choice.File => {
  const before = current(file, record);
  const ids = new Set(items.map((i) => i.id));
  const all = [...(before?.items ?? []).filter((i) => !ids.has(i.id)), ...items];
  return { version: 1, transition: keyOf(record), items: all, choices: [...Choice.valid(all, before?.choices ?? [])] };
};

/** Error items the migrations reported that no choice settles: the pause stays until they are. */
export const unsettled = (file: Choice.File | null): ReadonlyArray<Item> => (file === null ? [] : Choice.unresolved(file.items, file.choices));

/** The migrations of the resolutions chosen for the reported items. */
export const chosenMigrations = (file: Choice.File | null): ReadonlyArray<Migration> => (file === null ? [] : Choice.chosenMigrations(file.items, file.choices));

/**
 * The graph with `migrations` added as pending. One already in the graph, exactly as it is there,
 * is left (continuing twice adds nothing); the same id defined otherwise is refused, as are a
 * cycle and a requirement no migration of the graph meets.
 */
export const extend = (record: MigrationRecord.GraphRecord, migrations: ReadonlyArray<Migration>): E.Either<string, MigrationRecord.GraphRecord> => {
  const byId = new Map(record.migrations.map((m) => [m.id, m] as const));
  const added: Array<Migration> = [];
  for (const m of migrations) {
    const known = byId.get(m.id);
    if (known === undefined) {
      byId.set(m.id, m);
      added.push(m);
    } else if (Canonical.stringify(known) !== Canonical.stringify(m)) {
      return E.left(`the chosen resolution runs migration '${m.id}', but the graph under way has another migration '${m.id}'; choose another resolution`);
    }
  }
  if (added.length === 0) return E.right(record);
  const all = [...record.migrations, ...added];
  const graph = Graph.of(all);
  if (E.isLeft(graph)) return E.left(graph.left.message);
  const pending: MigrationRecord.Entry = { status: "pending", runs: 0, startedMs: null, finishedMs: null, message: null };
  return E.right({ ...record, migrations: all, progress: { ...record.progress, ...Object.fromEntries(added.map((m) => [m.id, pending])) } });
};

export type Refusal =
  | { readonly _tag: "Unsettled"; readonly items: ReadonlyArray<Item> }
  | { readonly _tag: "InvalidGraph"; readonly message: string };

/** `migrations continue`: the chosen migrations added, the pause lifted and failed migrations pending again. */
export const continued = (record: MigrationRecord.GraphRecord, file: Choice.File | null): E.Either<Refusal, MigrationRecord.GraphRecord> => {
  const mine = current(file, record);
  const open = unsettled(mine);
  if (open.length > 0) return E.left({ _tag: "Unsettled", items: open });
  const extended = extend(record, chosenMigrations(mine));
  return E.isLeft(extended) ? E.left({ _tag: "InvalidGraph", message: extended.left }) : E.right(MigrationRecord.continued(extended.right));
};

export type Target = "checks" | "migrations";

/**
 * Record `resolution` for `item`, among the items the checks reported (`checks`) and those the
 * graph's migrations reported (`reported`, already `current`); the latter first, since a graph
 * under way is what the machine is doing now.
 */
export const choose = (checks: Choice.File | null, reported: Choice.File | null, item: string, resolution: string): E.Either<string, { readonly target: Target; readonly file: Choice.File }> => {
  if (reported !== null && reported.items.some((i) => i.id === item)) return E.map((file: Choice.File) => ({ target: "migrations" as const, file }))(Choice.choose(reported, item, resolution));
  const chosen = Choice.choose(checks, item, resolution);
  if (E.isRight(chosen)) return E.right({ target: "checks", file: chosen.right });
  const pending = [...(checks?.items ?? []), ...(reported?.items ?? [])].map((i) => i.id);
  if (pending.length === 0 || checks?.items.some((i) => i.id === item) === true) return chosen;
  return E.left(`no pending item '${item}'; pending: ${pending.join(", ")} (see 'switchyard choices')`);
};

/**
 * A migration graph under way, as the state directory keeps it (`migrations/graph.json`): the
 * transition it belongs to, its migrations, and each migration's progress with the times it started
 * and finished. Rewritten whole (atomically) at every change, so after a crash it says exactly what
 * was done; a `running` entry means "may have stopped anywhere" and runs again.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { Migration } from "../checks/Item.js";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import { Mode } from "../plan/Request.js";
import { Settings } from "../world/Settings.js";
import type * as Step from "../plan/Step.js";
import * as Graph from "./Graph.js";
import * as Schedule from "./Schedule.js";

const OrNull = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const StatusCodec = t.keyof({ pending: null, running: null, done: null, failed: null }, "status");

export const Entry = t.readonly(
  t.type(
    {
      status: StatusCodec,
      /** How many times it was started (more than once after a crash or a retry). */
      runs: t.number,
      startedMs: OrNull(t.number),
      finishedMs: OrNull(t.number),
      /** How the last run ended, when it did not succeed. */
      message: OrNull(t.string),
    },
    "migration progress",
  ),
);
export type Entry = t.TypeOf<typeof Entry>;

export const GraphRecord = t.readonly(
  t.type(
    {
      format: t.literal("switchyard-migrations-v1"),
      from: OrNull(GenerationNumberCodec),
      to: OrNull(GenerationNumberCodec),
      mode: Mode,
      fromSystem: OrNull(t.string),
      toSystem: OrNull(t.string),
      migrations: t.readonlyArray(Migration),
      /** The settings of the plan that began it (paths, bootloader, service manager), for a switch back. */
      settings: Settings,
      progress: t.readonly(t.record(t.string, Entry)),
      /** Set when a migration reported new items: nothing new starts until it is lifted. */
      paused: OrNull(t.readonly(t.type({ by: t.string, items: t.readonlyArray(t.string) }))),
    },
    "migration graph",
  ),
);
export type GraphRecord = t.TypeOf<typeof GraphRecord>;

const fresh: Entry = { status: "pending", runs: 0, startedMs: null, finishedMs: null, message: null };

/** The record `BeginMigrations` writes: every migration pending. */
export const begin = (step: Step.BeginMigrationsStep): GraphRecord => ({
  format: "switchyard-migrations-v1",
  from: step.from,
  to: step.to,
  mode: step.mode,
  fromSystem: step.fromSystem,
  toSystem: step.toSystem,
  migrations: step.migrations,
  settings: step.settings,
  progress: Object.fromEntries(step.migrations.map((m) => [m.id, fresh])),
  paused: null,
});

/**
 * Whether `record` is the graph `step` begins (so beginning it again changes nothing). Migrations
 * that new items added since come after the step's own, so the step's are a prefix of the record's.
 */
export const sameGraph = (record: GraphRecord, step: Step.BeginMigrationsStep): boolean =>
  record.from === step.from &&
  record.to === step.to &&
  JSON.stringify(record.migrations.slice(0, step.migrations.length).map((m) => m.id)) === JSON.stringify(step.migrations.map((m) => m.id));

/** A decoded record is only used if its graph holds and its progress covers exactly its migrations. */
export const check = (record: GraphRecord): E.Either<string, Graph.Graph> => {
  const graph = Graph.of(record.migrations);
  if (E.isLeft(graph)) return E.left(graph.left.message);
  const ids = Object.keys(record.progress).sort();
  const expected = record.migrations.map((m) => m.id).sort();
  return JSON.stringify(ids) === JSON.stringify(expected) ? graph : E.left("its progress does not list exactly its migrations");
};

export const progressOf = (record: GraphRecord): Schedule.Progress => Object.fromEntries(Object.entries(record.progress).map(([id, e]) => [id, e.status]));

/** Modes in which the target runs only after a reboot: "after" migrations wait for it. */
export const waitsForBoot = (record: Pick<GraphRecord, "mode">): boolean => record.mode === "boot" || record.mode === "try";

/** The record with one migration's entry changed. */
export const update = (record: GraphRecord, id: string, change: Partial<Entry>): GraphRecord => {
  const entry = record.progress[id] ?? fresh;
  return { ...record, progress: { ...record.progress, [id]: { ...entry, ...change } } };
};

/** After a crash, `running` entries are pending again (see `Schedule.resumed`). */
export const resumed = (record: GraphRecord): GraphRecord => ({
  ...record,
  progress: Object.fromEntries(Object.entries(record.progress).map(([id, e]) => [id, e.status === "running" ? { ...e, status: "pending" as const } : e])),
});

/** Lift a pause and make failed migrations pending again: `switchyard migrations continue`. */
export const continued = (record: GraphRecord): GraphRecord => ({
  ...record,
  paused: null,
  progress: Object.fromEntries(Object.entries(record.progress).map(([id, e]) => [id, e.status === "failed" ? { ...e, status: "pending" as const } : e])),
});

/**
 * A migration graph in words: progress lines while it runs (on standard error, like the steps'),
 * where it stands afterwards, and the `migrations` listing and its JSON document.
 */
import { type Choice, MigrationGraph, MigrationRecord, type Item, type MigrationSchedule } from "@switchyard/model";
import type { Apply, Migrations } from "@switchyard/interpreter";
import * as Escape from "./Escape.js";

export const progress = (event: Migrations.Event): string => {
  switch (event._tag) {
    case "MigrationStarted":
      return `migration ${event.id}: started${event.run > 1 ? ` (run ${event.run})` : ""}`;
    case "MigrationOutput":
      return `  ${event.id} | ${event.line}`;
    case "MigrationFinished":
      return event.ok ? `migration ${event.id}: done` : `migration ${event.id}: failed: ${event.message ?? "(no reason)"}`;
  }
};

export const onEvent = (event: Migrations.Event): void => void process.stderr.write(`${Escape.line(progress(event))}\n`);

const HOW = "continue it with 'switchyard migrations continue' (or 'switchyard recover'), or abandon it with 'switchyard migrations abandon'";

const CHOOSE =
  "'switchyard choices' lists them; choose their resolutions with 'switchyard choose ITEM RESOLUTION', then 'switchyard migrations continue' adds the chosen migrations and lifts the pause (or abandon the graph with 'switchyard migrations abandon')";

/** What the outcome of a run means for the person, one line (null: nothing left to say). */
export const outcomeLine = (record: MigrationRecord.GraphRecord, outcome: MigrationSchedule.Outcome, back: Apply.MigrationsReport["switchedBack"] = null): string | null => {
  switch (outcome._tag) {
    case "Complete":
      return `all ${record.migrations.length} migration(s) done`;
    case "Running":
      return null;
    case "Paused":
      return `the migration graph is paused: ${record.paused?.by ?? "a migration"} reported new items (${record.paused?.items.join(", ") ?? ""}); ${CHOOSE}`;
    case "WaitingForBoot":
      return `migration(s) ${outcome.waiting.join(", ")} wait for the boot into generation ${record.to ?? "(none)"}; once booted, 'switchyard recover' (or 'switchyard migrations continue') runs them`;
    case "Failed": {
      const stopped = outcome.stopped.length === 0 ? "" : `; not run: ${outcome.stopped.join(", ")}`;
      const then = !outcome.revert
        ? `the switch is held on generation ${record.to ?? "(none)"}: fix the cause, then ${HOW}`
        : back?._tag === "SwitchedBack"
          ? `the switch was reverted: the graph was abandoned and the machine switched back to generation ${back.to ?? "(none)"}`
          : `the switch must be reverted, but ${back?._tag === "NotSwitchedBack" ? back.reason : "it was not"}; the graph was kept: 'switchyard migrations'`;
      return `migration(s) ${outcome.failed.join(", ")} failed${stopped}; finished ones stay done; ${then}`;
    }
  }
};

const label = (record: MigrationRecord.GraphRecord, m: Item.Migration, booted: boolean): string => {
  const entry = record.progress[m.id];
  const status = entry?.status ?? "pending";
  const requires = MigrationGraph.requiresOf(m);
  const notes: Array<string> = [];
  if (status === "running") notes.push("running, or interrupted: it runs again");
  if (status === "failed" && entry?.message !== null && entry?.message !== undefined) notes.push(entry.message);
  if (status === "pending" && requires.length > 0) notes.push(`requires ${requires.join(", ")}`);
  if (status === "pending" && !booted && MigrationGraph.phaseOf(m) === "after") notes.push(`waits for the boot into generation ${record.to ?? "(none)"}`);
  if (m.reboot === "before") notes.push("before the reboot");
  return `  ${m.id.padEnd(16)} ${status.padEnd(8)}${notes.length === 0 ? "" : ` ${notes.join("; ")}`}`;
};

export const listing = (record: MigrationRecord.GraphRecord, booted: boolean): ReadonlyArray<string> => {
  const done = record.migrations.filter((m) => record.progress[m.id]?.status === "done").length;
  return [
    `migration graph under way: generation ${record.from ?? "(none)"} -> ${record.to ?? "(none)"} (mode ${record.mode}), ${done} of ${record.migrations.length} done`,
    ...record.migrations.map((m) => label(record, m, booted)),
    ...(record.paused === null ? [] : [`paused: ${record.paused.by} reported new items (${record.paused.items.join(", ")}); ${CHOOSE}`]),
    `${HOW}`,
  ];
};

/** `migrations --json`: the record as kept, which migrations wait for the boot, and the items migrations reported with the choices made for them. */
export const document = (record: MigrationRecord.GraphRecord | null, booted: boolean, reported: Choice.File | null) => ({
  graph: record === null ? null : MigrationRecord.GraphRecord.encode(record),
  waitingForBoot:
    record === null || booted
      ? []
      : record.migrations.filter((m) => MigrationGraph.phaseOf(m) === "after" && (record.progress[m.id]?.status ?? "pending") === "pending").map((m) => m.id),
  items: reported?.items ?? [],
  choices: reported?.choices ?? [],
});

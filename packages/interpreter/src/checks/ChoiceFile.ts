/**
 * Reads and writes the choices record (`Choice` in the model) in the state directory, atomically.
 * An unreadable record is an error, never "no choices": a choice read wrong could run a migration
 * nobody chose.
 */
import { Choice, type Item } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import { ObserveError } from "../Errors.js";
import * as Layout from "../state/Layout.js";
import * as Root from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

export const path = (root: Root.Root): string => Root.host(root, Choice.PATH);

export const read = Effect.fn("readChoices")(function* (root: Root.Root) {
  const file = path(root);
  const bytes = yield* Absent.readFile(file, (e) => new ObserveError({ reason: "Io", message: `cannot read ${file}: ${e.message}` }));
  if (bytes === null) return null;
  const record = Choice.fromText(new TextDecoder().decode(bytes), file);
  return record._tag === "Right" ? record.right : yield* new ObserveError({ reason: "Layout", message: record.left });
});

export const write = Effect.fn("writeChoices")(function* (root: Root.Root, record: Choice.File) {
  // Like a first apply: the state directory it writes into is stamped with its layout first.
  if ((yield* Layout.detect(root))._tag === "Empty") yield* Layout.stamp(root);
  yield* Durable.writeFile(path(root), new TextEncoder().encode(Choice.render(record)));
});

/** Record the items a plan reports as pending for its transition (keeping choices still valid for it). */
export const recordPending = Effect.fn("recordPendingItems")(function* (root: Root.Root, key: Choice.Transition, items: ReadonlyArray<Item.Item>) {
  const before = yield* read(root);
  const after = Choice.reported(before, key, items);
  // Nothing pending and nothing recorded: no record is made.
  if (before === null && items.length === 0) return after;
  // Unchanged records are not rewritten: `check` run twice touches nothing the second time.
  if (before !== null && Choice.render(before) === Choice.render(after)) return after;
  yield* write(root, after);
  return after;
});

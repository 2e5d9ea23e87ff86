/**
 * The items migrations reported while they ran and the choices made for them:
 * `<stateDir>/migrations/items.json`, in the check choices' format (`Choice.File`), keyed by the
 * graph's transition (`NewItems` in the model decides what goes in). Rewritten atomically; removed
 * with the graph, so a record left by a graph that ended never settles another's items.
 */
import { Choice, type Item, type MigrationRecord, NewItems } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import type * as Root from "../root/Root.js";
import * as GraphFile from "./GraphFile.js";
import { MigrationsUnreadable } from "./MigrationErrors.js";
import * as Absent from "../ports/Absent.js";

export const path = (root: Root.Root): string => `${GraphFile.directory(root)}/items.json`;

/** The record as it is on disk (null when there is none); an unreadable one is an error, never "no choices". */
export const readFile = (root: Root.Root) =>
  Effect.gen(function* () {
    const file = path(root);
    const bytes = yield* Absent.readFile(file, (e) => new MigrationsUnreadable({ message: `cannot read ${file}: ${e.message}` }));
    if (bytes === null) return null;
    const record = Choice.fromText(new TextDecoder().decode(bytes), file);
    return record._tag === "Right" ? record.right : yield* new MigrationsUnreadable({ message: record.left });
  });

/** The items (and choices) reported by the migrations of the graph `record`; null when none were. */
export const read = (root: Root.Root, record: MigrationRecord.GraphRecord) => Effect.map(readFile(root), (file) => NewItems.current(file, record));

export const write = (root: Root.Root, file: Choice.File) =>
  Effect.gen(function* () {
    yield* Durable.ensureDirectory(GraphFile.directory(root));
    yield* Durable.writeFile(path(root), new TextEncoder().encode(Choice.render(file)));
  });

export const add = (root: Root.Root, record: MigrationRecord.GraphRecord, items: ReadonlyArray<Item.Item>) =>
  Effect.flatMap(readFile(root), (file) => write(root, NewItems.reported(file, record, items)));

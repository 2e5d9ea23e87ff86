/**
 * Where a migration graph is kept: `<stateDir>/migrations/graph.json`, the whole record rewritten
 * atomically (write a temp sibling, fsync, rename, fsync the directory) at every change, and
 * removed when the graph completes or is abandoned. Its presence is what "a graph is under way"
 * means. New items migrations report go to `items.json` next to it (see `Items`), which goes with it.
 */
import { MigrationRecord, World, type MigrationGraph } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import * as Decode from "../internal/Decode.js";
import type { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import { MigrationsUnreadable } from "./MigrationErrors.js";
import * as Absent from "../ports/Absent.js";

export const directory = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/migrations`);
export const graphPath = (root: Root.Root): string => `${directory(root)}/graph.json`;

export interface Loaded {
  readonly record: MigrationRecord.GraphRecord;
  readonly graph: MigrationGraph.Graph;
}

/** The graph under way, or null when there is none. */
export const read = (root: Root.Root): Effect.Effect<Loaded | null, MigrationsUnreadable, FileSystem> =>
  Effect.gen(function* () {
    const path = graphPath(root);
    const unreadable = (what: string) =>
      new MigrationsUnreadable({ message: `the migration graph cannot be read: ${what}; it was left untouched: repair it, or remove it with 'switchyard migrations abandon'` });
    const bytes = yield* Absent.readFile(path, (e) => unreadable(e.message));
    if (bytes === null) return null;
    const record = yield* Decode.bytes(MigrationRecord.GraphRecord, bytes, path, (f) => unreadable(Decode.describe(f)));
    const graph = yield* Decode.either(MigrationRecord.check(record), (why) => unreadable(`${path}: ${why}`));
    return { record, graph };
  });

const encoder = new TextEncoder();

export const write = (root: Root.Root, record: MigrationRecord.GraphRecord) =>
  Effect.gen(function* () {
    yield* Durable.ensureDirectory(directory(root));
    yield* Durable.writeFile(graphPath(root), encoder.encode(`${JSON.stringify(MigrationRecord.GraphRecord.encode(record))}\n`));
  });

/** A new graph: items a crash left from an earlier one's removal go before it appears. */
export const begin = (root: Root.Root, record: MigrationRecord.GraphRecord) =>
  Effect.gen(function* () {
    yield* Durable.ensureDirectory(directory(root));
    yield* Durable.removeLink(`${directory(root)}/items.json`);
    yield* write(root, record);
  });

/** The graph first: once it is gone no graph is under way, whatever became of its items. */
export const remove = (root: Root.Root) =>
  Effect.gen(function* () {
    yield* Durable.removeLink(graphPath(root));
    yield* Durable.removeLink(`${directory(root)}/items.json`);
  });

/**
 * The items migrations reported while they ran: `<stateDir>/migrations/items.json`, one
 * `{"items": [...]}` document in the check report format (`Item.Report`), so the pending choices
 * can list them next to the items checks report. An item reported again (a migration run again
 * after a crash) replaces the one with its id; the file is rewritten atomically.
 */
import { Item } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import * as Decode from "../internal/Decode.js";
import { FileSystem } from "../ports/FileSystem.js";
import type * as Root from "../root/Root.js";
import * as GraphFile from "./GraphFile.js";
import { MigrationsUnreadable } from "./MigrationErrors.js";

export const path = (root: Root.Root): string => `${GraphFile.directory(root)}/items.json`;

/** The items reported so far ([] when none). */
export const read = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = path(root);
    const bytes = yield* fs.readFile(file).pipe(
      Effect.map((b): Uint8Array | null => b),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
      Effect.mapError((e) => new MigrationsUnreadable({ message: `cannot read ${file}: ${e.message}` })),
    );
    if (bytes === null) return [] as ReadonlyArray<Item.Item>;
    const report = yield* Decode.bytes(Item.Report, bytes, file, (f) => new MigrationsUnreadable({ message: `${Decode.describe(f)}; repair or remove it` }));
    return report.items as ReadonlyArray<Item.Item>;
  });

export const add = (root: Root.Root, items: ReadonlyArray<Item.Item>) =>
  Effect.gen(function* () {
    const before = yield* read(root);
    const ids = new Set(items.map((i) => i.id));
    const report: Item.Report = { items: [...before.filter((i) => !ids.has(i.id)), ...items] };
    yield* Durable.ensureDirectory(GraphFile.directory(root));
    yield* Durable.writeFile(path(root), new TextEncoder().encode(`${JSON.stringify(Item.Report.encode(report))}\n`));
  });

/**
 * The committed snapshots: every `<id>/meta.json` under the snapshots directory, decoded. Hidden
 * names (staging, dumps, scratch) are skipped; a directory whose metadata is missing or unreadable
 * is listed as damaged rather than hidden, so `snapshot check` and `forget` can reach it.
 */
import { Decode as ModelDecode, SnapshotId, SnapshotMeta } from "@switchyard/model";
import { Effect } from "effect";
import { FileSystem } from "../ports/FileSystem.js";
import type * as Root from "../root/Root.js";
import * as Layout from "./Layout.js";
import { damaged, notAnId, SnapshotError } from "./SnapshotError.js";

export interface Damaged {
  readonly id: string;
  readonly problem: string;
}

export interface Catalogue {
  /** Newest first. */
  readonly snapshots: ReadonlyArray<SnapshotMeta.Meta>;
  readonly damaged: ReadonlyArray<Damaged>;
}

const decoder = new TextDecoder();

/** The metadata of snapshot `id`: NotFound when there is none, Damaged when it does not decode or names another id. */
export const read = (root: Root.Root, id: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    if (!SnapshotId.is(id)) return yield* notAnId(id);
    const dir = Layout.committed(root, id);
    const stat = yield* fs.lstat(dir).pipe(Effect.option);
    if (stat._tag === "None" || stat.value.kind !== "directory") {
      return yield* new SnapshotError({ reason: "NotFound", id, message: `no snapshot ${id}; 'switchyard snapshot list' shows the snapshots there are` });
    }
    const file = `${dir}/${SnapshotMeta.META_FILE}`;
    const bytes = yield* fs.readFile(file).pipe(Effect.mapError((e) => damaged(id, `its ${SnapshotMeta.META_FILE} cannot be read (${e.reason})`)));
    const decoded = ModelDecode.text(SnapshotMeta.Meta, decoder.decode(bytes), file);
    if (decoded._tag === "Left") return yield* damaged(id, `its ${SnapshotMeta.META_FILE} is invalid (${ModelDecode.describe(decoded.left)})`);
    if (decoded.right.id !== id) return yield* damaged(id, `its ${SnapshotMeta.META_FILE} names another snapshot (${decoded.right.id})`);
    // The id is what people and plans name it by: metadata that says it holds another service's data is not to be trusted.
    if (decoded.right.service !== SnapshotId.serviceOf(id)) return yield* damaged(id, `its ${SnapshotMeta.META_FILE} says it holds ${decoded.right.service}'s data, but its id names ${SnapshotId.serviceOf(id)}`);
    return decoded.right;
  });

/** Every committed snapshot; an absent snapshots directory is an empty catalogue. */
export const list = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const names = yield* fs.readDirectory(Layout.dir(root)).pipe(
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed([] as ReadonlyArray<string>)),
      Effect.mapError((e) => new SnapshotError({ reason: "Io", id: "", message: `cannot read ${Layout.dir(root)}: ${e.message}` })),
    );
    const snapshots: Array<SnapshotMeta.Meta> = [];
    const bad: Array<Damaged> = [];
    for (const name of names) {
      if (Layout.isHidden(name)) continue;
      if (!SnapshotId.is(name)) {
        bad.push({ id: name, problem: `${name} is not a snapshot's directory (its name is no snapshot id)` });
        continue;
      }
      const meta = yield* Effect.either(read(root, name));
      if (meta._tag === "Right") snapshots.push(meta.right);
      else if (meta.left.reason !== "NotFound") bad.push({ id: name, problem: meta.left.message });
    }
    return { snapshots: SnapshotMeta.newestFirst(snapshots), damaged: bad } satisfies Catalogue;
  });

/**
 * snapd's copy-data rule for one data directory, made idempotent so a crash at any point is
 * finished (or undone) by running the same step again. The snapshot is unpacked into the temp
 * sibling first; only once it is complete and flushed is the live directory moved aside and the
 * new one renamed into place. Which state it is in is read from which of path, aside, temp exist:
 * - path and aside: done (a directory that never existed gets an empty aside, so this holds);
 * - aside and temp, no path: crashed between the renames; rename temp into place;
 * - path, no aside: start (a stale temp is removed and unpacked again).
 * `undo` puts aside back at path, dropping what was unpacked; with no aside there is nothing to undo.
 */
import type { StateSteps } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import * as Failpoint from "../durable/Failpoint.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as Open from "./Open.js";
import { SnapshotError } from "./SnapshotError.js";

const present = (path: string) => Effect.flatMap(FileSystem, (fs) => fs.lstat(path).pipe(Effect.as(true), Effect.orElseSucceed(() => false)));

const io = (id: string) => (e: { readonly message: string }) => new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${e.message}` });

export interface Restoring {
  readonly root: Root.Root;
  readonly id: string;
  readonly service: string;
  /** Host path of the age identity file, or null. */
  readonly identity: string | null;
}

export const restore = (r: Restoring, move: StateSteps.Move) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const [path, aside, temp] = [move.path, move.aside, move.temp].map((p) => Root.host(r.root, p)) as [string, string, string];
    const parent = Root.dirnameOf(path);
    const [p, a, t] = [yield* present(path), yield* present(aside), yield* present(temp)];
    if (p && a) return yield* Durable.removeTree(temp).pipe(Effect.mapError(io(r.id)));
    if (!a || !t) {
      yield* Durable.removeTree(temp).pipe(Effect.mapError(io(r.id)));
      yield* Open.extract(r.root, { id: r.id, service: r.service, path: move.path, dest: temp, identity: r.identity });
      yield* Failpoint.hit("restore:unpacked");
      if (!a) {
        if (p) yield* fs.rename(path, aside).pipe(Effect.mapError(io(r.id)));
        else yield* fs.makeDirectory(aside).pipe(Effect.mapError(io(r.id)));
        yield* fs.fsyncDirectory(parent).pipe(Effect.mapError(io(r.id)));
        yield* Failpoint.hit("restore:moved-aside");
      }
    }
    yield* fs.rename(temp, path).pipe(Effect.mapError(io(r.id)));
    yield* fs.fsyncDirectory(parent).pipe(Effect.mapError(io(r.id)));
    yield* Failpoint.hit("restore:renamed");
  });

export const undo = (root: Root.Root, id: string, move: StateSteps.Move) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const [path, aside, temp] = [move.path, move.aside, move.temp].map((p) => Root.host(root, p)) as [string, string, string];
    yield* Durable.removeTree(temp).pipe(Effect.mapError(io(id)));
    if (!(yield* present(aside))) return;
    // What is at path now is what was unpacked (or half of it): the data it replaced is aside.
    yield* Durable.removeTree(path).pipe(Effect.mapError(io(id)));
    yield* fs.rename(aside, path).pipe(Effect.mapError(io(id)));
    yield* fs.fsyncDirectory(Root.dirnameOf(path)).pipe(Effect.mapError(io(id)));
  });

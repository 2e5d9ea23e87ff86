/**
 * The state directory's own layout version. `layout.v1` marks the current layout; every command
 * checks it with one `readdir` of the state directory. A state directory with content but no marker (made before markers
 * existed) is migrated step by step under the lock, each step idempotent, the marker written last,
 * and the layout detected again once the lock is held (another process may have migrated it).
 * A newer layout than this binary knows is refused. Unlike volta, a migration never runs unlocked.
 */
import { World } from "@switchyard/model";
import { Effect } from "effect";
import * as JournalPaths from "./JournalPaths.js";
import * as Durable from "../durable/Durable.js";
import { LayoutError, observeFailure } from "../Errors.js";
import * as Lock from "./Lock.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export const CURRENT = 1;
const MARKER = /^layout\.v([0-9]+)$/;
const FRESH = new Set([
  "profiles",
  "lock",
  "lock.takeover",
  "supervisor.lock",
  "supervisor.lock.takeover",
  "supervisor.pid",
  "supervisor.log",
  // The generations index: a cache any observing command may write.
  "generations-index.json",
  "generations-index.columns",
  // The columns of an index of format version 2, until the next index is written.
  "generations-index.columns.json",
]);

const stateDir = (root: Root.Root) => Root.host(root, World.Paths.stateDir);
export const markerPath = (root: Root.Root, version = CURRENT) => `${stateDir(root)}/layout.v${version}`;

export type Detected = { readonly _tag: "Current" } | { readonly _tag: "Empty" } | { readonly _tag: "Version"; readonly version: number };

/**
 * One `readdir` of the state directory finds every marker: a newer one next to ours (a newer
 * switchyard interrupted before removing the old marker) must still be refused.
 */
export const detect = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    // Unreadable is empty (a first run, a reader without permission), but one that leads out of the root is refused.
    const names = yield* fs.readDirectory(stateDir(root)).pipe(
      Effect.catchIf((e) => e.reason !== "OutsideRoot", () => Effect.succeed([] as ReadonlyArray<string>)),
      Effect.mapError((e) => observeFailure(e)),
    );
    const versions = names.flatMap((n) => {
      const m = MARKER.exec(n);
      return m === null ? [] : [Number(m[1])];
    });
    if (versions.length > 0) {
      const newest = Math.max(...versions);
      return newest === CURRENT ? ({ _tag: "Current" } satisfies Detected) : ({ _tag: "Version", version: newest } satisfies Detected);
    }
    // A state directory holding only what a builder or a first apply puts there is new, not old; a
    // temp sibling (another command writing the generations index right now) is nobody's content.
    const content = names.filter((n) => !FRESH.has(n) && !Durable.isTempName(n));
    return content.length === 0 ? ({ _tag: "Empty" } satisfies Detected) : ({ _tag: "Version", version: 0 } satisfies Detected);
  });

/** One step per layout version: from N-1 to N. Each must be safe to run again after a crash. */
const steps: ReadonlyArray<{ readonly to: number; readonly run: (root: Root.Root) => Effect.Effect<void, FsError, FileSystem> }> = [
  {
    // v0 (no marker) → v1: adopt the existing profile as it is; only crash leftovers are removed.
    to: 1,
    run: (root) =>
      Effect.gen(function* () {
        const fs = yield* FileSystem;
        const dir = stateDir(root);
        for (const name of yield* fs.readDirectory(dir)) {
          if (Durable.isTempName(name) || JournalPaths.isLeftover(name)) yield* Durable.removeTree(`${dir}/${name}`);
        }
      }),
  },
];

/** Check the layout; migrate it (under the lock) when it is old; refuse it when it is newer. */
export const ensure = (root: Root.Root, waitLockSeconds = 0) =>
  Effect.gen(function* () {
    const found = yield* detect(root);
    if (found._tag === "Current" || found._tag === "Empty") return found;
    if (found.version > CURRENT) {
      return yield* new LayoutError({
        reason: "Newer",
        message: `${stateDir(root)} has layout v${found.version}, newer than this switchyard understands (v${CURRENT}); use a newer switchyard`,
      });
    }
    yield* Lock.withLock(root, "migrate layout", waitLockSeconds, () => migrate(root));
    return found;
  });

const migrate = (root: Root.Root) =>
  Effect.gen(function* () {
    const found = yield* detect(root);
    if (found._tag !== "Version") return;
    for (const step of steps.filter((s) => s.to > found.version && s.to <= CURRENT)) {
      yield* step.run(root).pipe(
        Effect.mapError((e) => new LayoutError({ reason: "Failed", message: `migrating ${stateDir(root)} to layout v${step.to} failed: ${e.message}; run the command again to resume` })),
      );
      yield* stamp(root, step.to);
    }
  });

/** Write the marker for `version` (durably) and remove older markers. */
export const stamp = (root: Root.Root, version = CURRENT) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    yield* Durable.writeFile(markerPath(root, version), new TextEncoder().encode(`switchyard state directory layout v${version}\n`));
    for (let v = 0; v < version; v++) yield* fs.remove(markerPath(root, v)).pipe(Effect.ignore);
  });

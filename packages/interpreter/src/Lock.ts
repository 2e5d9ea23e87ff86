/**
 * One apply at a time per root: `/var/lib/switchyard/lock`, created exclusively, naming its holder
 * (pid, command, start time). A second apply fails at once naming the holder. A lock whose holder
 * is no longer alive is taken over: it is first renamed to a name of our own, so of several
 * processes that find the same dead lock only one can take it.
 */
import { World } from "@switchyard/model";
import { Effect } from "effect";
import { LockHeld, ObserveError } from "./Errors.js";
import { Clock } from "./ports/Clock.js";
import { FileSystem, type FsError } from "./ports/FileSystem.js";
import { ProcessRunner } from "./ports/ProcessRunner.js";
import * as Root from "./Root.js";

export interface Holder {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
}

export const lockPath = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/lock`);

const io = (e: FsError) => new ObserveError({ reason: "Io", message: `cannot take the lock: ${e.message}` });

const parseHolder = (bytes: Uint8Array): Holder | null => {
  try {
    const h = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Holder>;
    return typeof h.pid === "number" ? { pid: h.pid, command: String(h.command ?? "?"), startedAt: String(h.startedAt ?? "?") } : null;
  } catch {
    return null;
  }
};

export const describeHolder = (h: Holder | null): string =>
  h === null ? "an unknown process" : `pid ${h.pid} ('switchyard ${h.command}', started ${h.startedAt})`;

/** Take the lock, run `body`, release the lock whatever happens. */
export const withLock = <A, E, R>(root: Root.Root, command: string, body: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(acquire(root, command), () => body, (holder) => release(root, holder));

export const acquire = (root: Root.Root, command: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const proc = yield* ProcessRunner;
    const clock = yield* Clock;
    const path = lockPath(root);
    const me: Holder = { pid: proc.pid, command, startedAt: new Date(yield* clock.nowMs).toISOString() };
    const bytes = new TextEncoder().encode(`${JSON.stringify(me)}\n`);
    yield* fs.makeDirectory(Root.dirnameOf(path)).pipe(Effect.mapError(io));
    for (let attempt = 0; attempt < 2; attempt++) {
      const created = yield* Effect.either(fs.writeNewFile(path, bytes));
      if (created._tag === "Right") {
        yield* fs.fsync(path).pipe(Effect.zipRight(fs.fsyncDirectory(Root.dirnameOf(path))), Effect.mapError(io));
        return me;
      }
      if (created.left.reason !== "Exists") return yield* io(created.left);
      const held = yield* fs.readFile(path).pipe(Effect.map(parseHolder), Effect.catchAll(() => Effect.succeed(null)));
      const alive = held === null ? true : yield* proc.isAlive(held.pid);
      if (alive || attempt > 0) {
        return yield* new LockHeld({
          message: `another switchyard apply holds ${path}: ${describeHolder(held)}; wait for it to finish (or remove the file if that process is gone)`,
        });
      }
      // The holder is dead: move its lock aside under our own name; only one contender can.
      const aside = `${path}.stale-${me.pid}`;
      const moved = yield* Effect.either(fs.rename(path, aside));
      if (moved._tag === "Right") yield* fs.remove(aside).pipe(Effect.ignore);
    }
    return yield* new LockHeld({ message: `could not take ${path}; try again` });
  });

export const release = (root: Root.Root, holder: Holder) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const path = lockPath(root);
    const current = yield* fs.readFile(path).pipe(Effect.map(parseHolder), Effect.catchAll(() => Effect.succeed(null)));
    if (current !== null && current.pid === holder.pid && current.startedAt === holder.startedAt) {
      yield* fs.remove(path).pipe(Effect.zipRight(fs.fsyncDirectory(Root.dirnameOf(path))), Effect.ignore);
    }
  });

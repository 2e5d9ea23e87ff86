/**
 * One apply at a time per root: `/var/lib/switchyard/lock`, created exclusively, naming its holder
 * (pid, boot, command, start time). A second apply fails at once naming the holder, or waits for it
 * with `--wait-lock`. A lock whose holder is dead (its pid is gone, or it was taken before the last
 * boot) is taken over under a second exclusive file, `lock.takeover`: only its holder may remove a
 * dead lock, and it re-reads the lock first, so two processes never both take the same dead lock.
 */
import { World } from "@switchyard/model";
import { Duration, Effect } from "effect";
import * as t from "io-ts";
import * as Decode from "../internal/Decode.js";
import { LockHeld, observeFailure } from "../Errors.js";
import { Clock } from "../ports/Clock.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import * as IndexFile from "../observe/IndexFile.js";
import { ProcessRunner } from "../ports/ProcessRunner.js";
import * as Root from "../root/Root.js";

export interface Holder {
  readonly pid: number;
  readonly bootId: string;
  readonly command: string;
  readonly startedAt: string;
  /** Unique to this acquisition: names its journal files and proves ownership on release. */
  readonly token: string;
  /** Directories that taking the lock created (never written), deepest first: release removes them if empty. */
  readonly createdDirectories?: ReadonlyArray<string>;
}

/** `lock` serialises applies; `supervisor.lock` serialises starting and stopping the supervisor. */
export type LockName = "lock" | "supervisor.lock";

export const lockPath = (root: Root.Root, name: LockName = "lock"): string => Root.host(root, `${World.Paths.stateDir}/${name}`);
const POLL = Duration.millis(100);
let acquisitions = 0;

const io = (e: FsError) => observeFailure(e, `cannot take the lock: ${e.message}`);

/** A pid as a lock may name it: 0 or a negative number would name a process group, never a holder. */
const Pid = new t.Type<number, number, unknown>(
  "Pid",
  (u): u is number => typeof u === "number" && Number.isSafeInteger(u) && u > 0,
  (u, c) => (typeof u === "number" && Number.isSafeInteger(u) && u > 0 ? t.success(u) : t.failure(u, c, "expected a positive pid")),
  (n) => n,
);

const HolderFile = t.intersection([
  t.type({ pid: Pid }),
  t.partial({ bootId: t.string, command: t.string, startedAt: t.string, token: t.string }),
], "LockHolder");

/** The holder a lock file names, or null when it names none (being written, cut short by a crash, or not ours). */
const parseHolder = (path: string, bytes: Uint8Array) =>
  Decode.bytes(HolderFile, bytes, path, () => null).pipe(
    Effect.map((h): Holder | null => ({ pid: h.pid, bootId: h.bootId ?? "", command: h.command ?? "?", startedAt: h.startedAt ?? "?", token: h.token ?? "" })),
    Effect.orElseSucceed(() => null),
  );

export const describeHolder = (h: Holder | null): string =>
  h === null ? "an unknown process" : `pid ${h.pid} ('switchyard ${h.command}', started ${h.startedAt})`;

/** Take the lock (waiting up to `waitSeconds`), run `body`, release the lock whatever happens. */
export const withLock = <A, E, R>(root: Root.Root, command: string, waitSeconds: number, body: (holder: Holder) => Effect.Effect<A, E, R>, name: LockName = "lock") =>
  Effect.acquireUseRelease(acquire(root, command, waitSeconds, name), body, (holder) => release(root, holder, name));

type Attempt = { readonly _tag: "Acquired"; readonly holder: Holder } | { readonly _tag: "Held"; readonly holder: Holder | null };

export const acquire = (root: Root.Root, command: string, waitSeconds = 0, name: LockName = "lock") =>
  Effect.gen(function* () {
    const proc = yield* ProcessRunner;
    const clock = yield* Clock;
    const started = yield* clock.nowMs;
    const me: Holder = {
      pid: proc.pid,
      bootId: proc.bootId,
      command,
      startedAt: new Date(started).toISOString(),
      token: `${proc.pid}-${started.toString(36)}-${(++acquisitions).toString(36)}`,
    };
    const created = yield* missingDirectories(root, Root.dirnameOf(lockPath(root, name)));
    for (;;) {
      const attempt = yield* tryAcquire(lockPath(root, name), me);
      if (attempt._tag === "Acquired") return { ...attempt.holder, createdDirectories: created };
      if ((yield* clock.nowMs) - started >= waitSeconds * 1000) {
        const waited = waitSeconds > 0 ? ` (waited ${waitSeconds}s)` : "";
        return yield* new LockHeld({
          message: `another switchyard ${name === "lock" ? "apply" : "command"} holds ${lockPath(root, name)}: ${describeHolder(attempt.holder)}${waited}; wait for it to finish (--wait-lock SECONDS)`,
        });
      }
      yield* Effect.sleep(POLL);
    }
  });

/** `dir` and its ancestors inside the root that do not exist yet, deepest first. */
const missingDirectories = (root: Root.Root, dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const missing: Array<string> = [];
    for (let d = dir; d.length > root.prefix.length && d !== "/"; d = Root.dirnameOf(d)) {
      const exists = yield* fs.lstat(d).pipe(
        Effect.as(true),
        Effect.catchAll(() => Effect.succeed(false)),
      );
      if (exists) break;
      missing.push(d);
    }
    return missing;
  });

const tryAcquire = (path: string, me: Holder) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    yield* fs.makeDirectory(Root.dirnameOf(path)).pipe(Effect.mapError(io));
    // A few rounds: clearing an abandoned takeover, or losing a race for a freed lock, earns another try.
    let attempt: Attempt = { _tag: "Held", holder: null };
    for (let round = 0; round < 3; round++) {
      if (yield* createExclusive(path, me)) {
        yield* clearAbandonedTakeover(path);
        return { _tag: "Acquired", holder: me } satisfies Attempt;
      }
      const read = yield* readSettled(path);
      // An unreadable lock is one being written (for microseconds) or one a crash left empty.
      const held = read ?? (yield* abandonedUnreadable(path));
      if (held === null || (yield* isAlive(held))) return { _tag: "Held", holder: read } satisfies Attempt;
      attempt = yield* takeOver(path, held, me);
      if (attempt._tag === "Acquired") return attempt;
    }
    return attempt;
  });

/** Seconds after which a lock file that still cannot be read is taken to be a crash's leftover. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * An unreadable lock file older than the grace period stands for a dead holder (pid 0, never alive),
 * so it goes through the same takeover as any dead lock.
 */
const abandonedUnreadable = (path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const clock = yield* Clock;
    const stat = yield* Effect.either(fs.lstat(path));
    if (stat._tag === "Left" || (yield* clock.nowMs) - stat.right.mtimeMs < UNREADABLE_GRACE_MS) return null;
    return { pid: 0, bootId: "", command: "?", startedAt: "?", token: "" } satisfies Holder;
  });

/** A `lock.takeover` whose holder died is of no use to anyone; the lock holder removes it. */
const clearAbandonedTakeover = (path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const other = yield* readHolder(`${path}.takeover`);
    if (other !== null && !(yield* isAlive(other))) yield* fs.remove(`${path}.takeover`).pipe(Effect.ignore);
  });

/** Replace a dead holder's lock with ours, under `lock.takeover`. */
const takeOver = (path: string, dead: Holder, me: Holder) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const mutex = `${path}.takeover`;
    if (!(yield* createExclusive(mutex, me))) {
      const other = yield* readHolder(mutex);
      // A takeover whose own holder died is abandoned; clear it and try again on the next round.
      if (other !== null && !(yield* isAlive(other))) yield* fs.remove(mutex).pipe(Effect.ignore);
      return { _tag: "Held", holder: other ?? dead } satisfies Attempt;
    }
    const again = (yield* readHolder(path)) ?? (dead.pid === 0 ? yield* abandonedUnreadable(path) : null);
    let result: Attempt = { _tag: "Held", holder: again };
    if (again !== null && again.token === dead.token && again.pid === dead.pid) {
      yield* fs.remove(path).pipe(Effect.mapError(io));
      if (yield* createExclusive(path, me)) result = { _tag: "Acquired", holder: me };
      else result = { _tag: "Held", holder: yield* readHolder(path) };
    }
    yield* fs.remove(mutex).pipe(Effect.ignore);
    return result;
  });

/**
 * Create `path` holding `me`; false when something is already there. Its content is flushed, its
 * directory entry is not: a lock that a power loss drops is simply free, and one that survives it
 * (the next flush of the directory, such as the journal's, makes it durable) names its dead holder.
 */
const createExclusive = (path: string, me: Holder) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const created = yield* Effect.either(fs.writeNewFile(path, new TextEncoder().encode(`${JSON.stringify(me)}\n`)));
    if (created._tag === "Left") {
      if (created.left.reason === "Exists") return false;
      return yield* io(created.left);
    }
    yield* fs.fsync(path).pipe(Effect.mapError(io));
    return true;
  });

/**
 * The holder, read again for a few milliseconds while the file is still empty: a lock is created
 * and then written, so a reader can come between the two and should not report "an unknown process".
 */
const readSettled = (path: string) =>
  Effect.gen(function* () {
    for (let tries = 0; ; tries++) {
      const read = yield* readHolder(path);
      if (read !== null || tries === 5) return read;
      yield* Effect.sleep(Duration.millis(10));
    }
  });

const readHolder = (path: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.readFile(path).pipe(
      Effect.flatMap((bytes) => parseHolder(path, bytes)),
      Effect.orElseSucceed(() => null),
    ),
  );

const isAlive = (h: Holder) =>
  Effect.flatMap(ProcessRunner, (proc) =>
    h.pid === 0 || (h.bootId !== "" && h.bootId !== proc.bootId) ? Effect.succeed(false) : proc.isAlive(h.pid),
  );

/** The holder of the lock if it is alive, else null (no lock, or a dead holder's). */
export const liveHolder = (root: Root.Root) =>
  Effect.gen(function* () {
    const held = yield* readHolder(lockPath(root));
    return held !== null && (yield* isAlive(held)) ? held : null;
  });

export const release = (root: Root.Root, holder: Holder, name: LockName = "lock") =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const path = lockPath(root, name);
    const current = yield* readHolder(path);
    if (current !== null && current.token === holder.token) {
      yield* fs.remove(path).pipe(Effect.zipRight(fs.fsyncDirectory(Root.dirnameOf(path))), Effect.ignore);
      // A run that only took the lock leaves no trace; one that wrote there keeps the directory. The
      // generations index its observation wrote there is a cache, no reason to keep it.
      const index = Root.host(root, IndexFile.PATH);
      for (const dir of holder.createdDirectories ?? []) {
        if (dir === Root.dirnameOf(index)) {
          yield* fs.remove(index).pipe(Effect.ignore);
          yield* fs.remove(Root.host(root, IndexFile.COLUMNS_PATH)).pipe(Effect.ignore);
        }
        yield* fs.removeDirectory(dir).pipe(Effect.ignore);
      }
    }
  });

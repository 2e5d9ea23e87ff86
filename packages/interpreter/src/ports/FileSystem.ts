/**
 * The file-system port: exactly the primitives that durability is built from, on host paths.
 * Nothing here is atomic beyond what POSIX promises (rename, exclusive create); `Durable.ts`
 * composes these into atomic writes. Implemented by `NodeFileSystem` (real disk) and
 * `MemoryFileSystem` (in-memory, with injectable faults and crashes).
 */
import { Context, Data, type Effect } from "effect";

export type FsErrorReason =
  | "NotFound" // ENOENT
  | "Exists" // EEXIST
  | "NotDirectory" // ENOTDIR
  | "IsDirectory" // EISDIR
  | "NotEmpty" // ENOTEMPTY
  | "NoSpace" // ENOSPC, EDQUOT
  | "PermissionDenied" // EACCES, EPERM
  | "ReadOnly" // EROFS
  | "Invalid" // EINVAL, ELOOP, ENAMETOOLONG
  | "OutsideRoot" // a path, or a symlink on its way, that leads out of the managed root (root/Confine.ts)
  | "Injected" // a fault injected by a test layer
  | "Other";

export class FsError extends Data.TaggedError("FsError")<{
  readonly reason: FsErrorReason;
  readonly op: string;
  readonly path: string;
  readonly message: string;
}> {}

export type FileKind = "file" | "directory" | "symlink" | "other";

export interface Stat {
  readonly kind: FileKind;
  readonly size: number;
  readonly mtimeMs: number;
  /** The device and inode: which object this is, whatever its path. */
  readonly dev: number;
  readonly ino: number;
  /**
   * When the inode last changed (content, times, or, for a directory, its entries). No call sets it
   * back, so a cache compares it to know that an entry is the one it read.
   */
  readonly ctimeMs: number;
}

/** One entry of a directory as `readEntries` reports it. */
export interface DirectoryEntry {
  readonly name: string;
  /** The entry's own lstat. */
  readonly stat: Stat;
  /** The link's target when the entry is a symlink and the caller asked for it, else null. */
  readonly target: string | null;
}

export interface DirectoryListing {
  /** The directory's own stat (through links to it), taken before its entries were listed. */
  readonly directory: Stat;
  /** Sorted by name; an entry removed while it was being read is left out. */
  readonly entries: ReadonlyArray<DirectoryEntry>;
}

/** What `removeEach` did: how many of its paths it removed, in order, and why it stopped before the rest (null: it did not). */
export interface RemovedEach {
  readonly removed: number;
  readonly failure: FsError | null;
}

/** Told about each path of a `removeEach`: before its removal, and after it succeeded. */
export interface RemovalEvents {
  readonly before?: (i: number) => void;
  readonly after?: (i: number) => void;
}

export interface FileSystemService {
  readonly readFile: (path: string) => Effect.Effect<Uint8Array, FsError>;
  readonly readDirectory: (path: string) => Effect.Effect<ReadonlyArray<string>, FsError>;
  /** Does not follow a final symlink. */
  readonly lstat: (path: string) => Effect.Effect<Stat, FsError>;
  readonly readLink: (path: string) => Effect.Effect<string, FsError>;
  /**
   * Every entry of a directory with its lstat, and the target of each symlink for which `wantTarget`
   * says yes, in one call: a profile of 10,000 generations is read with one call, not 20,000.
   */
  readonly readEntries: (path: string, wantTarget: (name: string, stat: Stat) => boolean) => Effect.Effect<DirectoryListing, FsError>;
  /**
   * The lstat of each path, in one call: its `Stat`, or the error it gave. `plainParents[i]` says
   * that the caller has proved (by validators it checked, such as the generations index's) that
   * path i's parent is a plain directory, no link, in a directory already resolved: confinement
   * then has nothing to look at on the way (one lstat a path, not two).
   */
  readonly lstatEach: (paths: ReadonlyArray<string>, plainParents?: ReadonlyArray<boolean>) => Effect.Effect<ReadonlyArray<Stat | FsError>>;
  /** Resolves every symlink (host semantics); used to check that a path stays inside the root. */
  readonly realPath: (path: string) => Effect.Effect<string, FsError>;
  /** Create a new file (fails with Exists if anything is there) and write all of `data` to it. */
  readonly writeNewFile: (path: string, data: Uint8Array, mode?: number) => Effect.Effect<void, FsError>;
  /** Flush a file's content to stable storage. */
  readonly fsync: (path: string) => Effect.Effect<void, FsError>;
  /** Flush a directory's entries (creations, renames, removals in it) to stable storage. */
  readonly fsyncDirectory: (path: string) => Effect.Effect<void, FsError>;
  /** Atomically replace `to` with `from` (both in one file system). */
  readonly rename: (from: string, to: string) => Effect.Effect<void, FsError>;
  /** Create a symlink at `path` holding `target`; fails with Exists if anything is there. */
  readonly symlink: (target: string, path: string) => Effect.Effect<void, FsError>;
  /** Remove a file or symlink (not a directory). */
  readonly remove: (path: string) => Effect.Effect<void, FsError>;
  /**
   * Remove each path as `remove` does, in order, in one call, stopping at the first that fails:
   * deleting 1,000 generations is one call, not 1,000. `events` hears of each one (progress, crash
   * points) as it goes.
   */
  readonly removeEach: (paths: ReadonlyArray<string>, events?: RemovalEvents) => Effect.Effect<RemovedEach>;
  /** Create a directory and any missing parents; succeeds if it exists. */
  readonly makeDirectory: (path: string) => Effect.Effect<void, FsError>;
  /** Remove an empty directory. */
  readonly removeDirectory: (path: string) => Effect.Effect<void, FsError>;
  /** Set a file's or link's modification time (used by tests and `add` to keep creation order). */
  readonly setModifiedTime: (path: string, mtimeMs: number) => Effect.Effect<void, FsError>;
}

export class FileSystem extends Context.Tag("switchyard/FileSystem")<FileSystem, FileSystemService>() {}

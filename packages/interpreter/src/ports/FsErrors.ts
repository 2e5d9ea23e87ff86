/**
 * Builds `FsError`s for both file-system layers, so that the live and the in-memory layer give the
 * same `reason`, `op` and one-line message ("cannot rename /a to /b: no space left on device").
 */
import { FsError, type FsErrorReason } from "./FileSystem.js";

export type FsOp =
  | "readFile"
  | "readDirectory"
  | "lstat"
  | "readLink"
  | "realPath"
  | "writeNewFile"
  | "fsync"
  | "fsyncDirectory"
  | "rename"
  | "symlink"
  | "remove"
  | "makeDirectory"
  | "removeDirectory"
  | "setModifiedTime";

const verbs: Record<FsOp, string> = {
  readFile: "read",
  readDirectory: "list directory",
  lstat: "stat",
  readLink: "read link",
  realPath: "resolve",
  writeNewFile: "create",
  fsync: "fsync",
  fsyncDirectory: "fsync directory",
  rename: "rename",
  symlink: "create symlink",
  remove: "remove",
  makeDirectory: "create directory",
  removeDirectory: "remove directory",
  setModifiedTime: "set modification time of",
};

const descriptions: Record<FsErrorReason, string> = {
  NotFound: "no such file or directory",
  Exists: "file already exists",
  NotDirectory: "not a directory",
  IsDirectory: "is a directory",
  NotEmpty: "directory not empty",
  NoSpace: "no space left on device",
  PermissionDenied: "permission denied",
  ReadOnly: "read-only file system",
  Invalid: "invalid argument",
  OutsideRoot: "outside the root",
  Injected: "injected fault",
  Other: "unexpected error",
};

const reasonsByCode: Record<string, FsErrorReason> = {
  ENOENT: "NotFound",
  EEXIST: "Exists",
  ENOTDIR: "NotDirectory",
  EISDIR: "IsDirectory",
  ENOTEMPTY: "NotEmpty",
  ENOSPC: "NoSpace",
  EDQUOT: "NoSpace",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EROFS: "ReadOnly",
  EINVAL: "Invalid",
  ELOOP: "Invalid",
  ENAMETOOLONG: "Invalid",
};

export interface Details {
  /** Second path of a two-path operation (rename). */
  readonly to?: string | undefined;
  /** Replaces the generic description of the reason (e.g. "too many symbolic links encountered"). */
  readonly detail?: string | undefined;
}

export const make = (reason: FsErrorReason, op: FsOp, path: string, details: Details = {}): FsError => {
  const where = details.to === undefined ? path : `${path} to ${details.to}`;
  const why = details.detail ?? descriptions[reason];
  return new FsError({ reason, op, path, message: `cannot ${verbs[op]} ${where}: ${why}` });
};

/** Maps a rejection from `node:fs` (an errno exception, or anything else) to an `FsError`. */
export const fromNode = (cause: unknown, op: FsOp, path: string, to?: string): FsError => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "";
  const reason = reasonsByCode[code] ?? "Other";
  // Node messages read "ENOSPC: no space left on device, rename '/a' -> '/b'"; keep the strerror part.
  const message = cause instanceof Error ? cause.message : String(cause);
  const detail = /^[A-Z0-9_]+: ([^,]+)/.exec(message)?.[1] ?? (reason === "Other" ? message : undefined);
  return make(reason, op, path, { to, detail });
};

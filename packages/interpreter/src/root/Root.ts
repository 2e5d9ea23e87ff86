/**
 * The managed root on the host. Every path in the model is an in-root path; this is the one place
 * that turns one into a host path, so `--root /tmp/r` and `/` behave the same.
 */
export interface Root {
  /** Absolute host path of the root, without a trailing slash ("" for "/"). */
  readonly prefix: string;
}

export const make = (hostPath: string): Root => ({ prefix: hostPath.replace(/\/+$/, "") });

export const host = (root: Root, inRoot: string): string => `${root.prefix}${inRoot === "/" ? "/" : inRoot}`;

/** The in-root path of a host path below the root, or null when it lies outside. */
export const inside = (root: Root, hostPath: string): string | null => {
  if (root.prefix === "") return hostPath;
  if (hostPath === root.prefix) return "/";
  return hostPath.startsWith(`${root.prefix}/`) ? hostPath.slice(root.prefix.length) : null;
};

export const dirnameOf = (path: string): string => {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
};

export const basenameOf = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

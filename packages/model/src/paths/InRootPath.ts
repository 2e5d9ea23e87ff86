/**
 * Absolute paths as seen from inside the managed root (`/run/current-system`, not `/tmp/r/run/...`).
 * Pure POSIX path arithmetic: the model must not import `node:path`, and it must be able to say
 * that a link target climbs above the root, which `path.resolve` silently clamps.
 */
import * as E from "fp-ts/lib/Either.js";

declare const InRootPathBrand: unique symbol;
/** A normalised absolute path inside the root. Constructed only by this module. */
export type InRootPath = string & { readonly [InRootPathBrand]: true };

/** The root itself. */
export const root = "/" as InRootPath;

/** Normalise an absolute path; Left when `..` would climb above the root. */
export const fromAbsolute = (path: string): E.Either<string, InRootPath> => {
  if (!path.startsWith("/")) return E.left(`'${path}' is not an absolute path`);
  return normaliseFrom([], path);
};

/** Normalise a path that is known to be absolute and clean (constants in this code base). */
export const unsafe = (path: string): InRootPath => {
  const result = fromAbsolute(path);
  if (E.isLeft(result)) throw new Error(result.left);
  return result.right;
};

/** Resolve a link target or relative path against a directory, as the kernel would inside a chroot. */
export const resolve = (dir: InRootPath, target: string): E.Either<string, InRootPath> =>
  target.startsWith("/")
    ? plainlyClean(target)
      ? E.right(target as InRootPath)
      : normaliseFrom([], target)
    : CLEAN.test(`/${target}`)
      ? E.right(`${dir === "/" ? "" : dir}/${target}` as InRootPath)
      : normaliseFrom(segments(dir), target);

export const join = (dir: InRootPath, ...names: ReadonlyArray<string>): InRootPath =>
  unsafe(`${dir === "/" ? "" : dir}/${names.join("/")}`);

export const dirname = (path: InRootPath): InRootPath => {
  const i = path.lastIndexOf("/");
  return (i <= 0 ? "/" : path.slice(0, i)) as InRootPath;
};

export const basename = (path: InRootPath): string => path.slice(path.lastIndexOf("/") + 1);

/** The relative path from `from` (a directory) to `to`, as a relative symlink would hold it. */
export const relative = (from: InRootPath, to: InRootPath): string => {
  const a = segments(from);
  const b = segments(to);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const up = a.slice(common).map(() => "..");
  const rel = [...up, ...b.slice(common)].join("/");
  return rel === "" ? "." : rel;
};

/** True when `path` is `dir` or lies below it. */
export const isWithin = (path: InRootPath, dir: InRootPath): boolean =>
  dir === "/" || path === dir || path.startsWith(`${dir}/`);

const segments = (path: string): Array<string> => path.split("/").filter((s) => s !== "");

/**
 * A quicker test than `CLEAN` for an absolute path, and a stricter one (it refuses any segment that
 * starts with a dot): what it accepts is clean. Ten thousand link targets are resolved per command.
 */
const plainlyClean = (path: string): boolean =>
  path.length > 1 && path.indexOf("//") === -1 && path.indexOf("/.") === -1 && path.charCodeAt(path.length - 1) !== 47;

/** No empty, `.` or `..` segment and no trailing slash: already normal, as nearly every path is. */
const CLEAN = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

const normaliseFrom = (base: Array<string>, path: string): E.Either<string, InRootPath> => {
  if (base.length === 0 && CLEAN.test(path)) return E.right(path as InRootPath);
  const out = [...base];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return E.left(`'${path}' climbs above the root`);
      out.pop();
    } else out.push(segment);
  }
  return E.right(`/${out.join("/")}` as InRootPath);
};

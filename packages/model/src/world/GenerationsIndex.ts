/**
 * The generations index: a cache, in the state directory, of what observing the profile reads —
 * each generation link's target and lstat, and the decoded header of each system's manifest with
 * the manifest's lstat. It is never required (without it every link and manifest is read) and
 * never trusted past its validators:
 * - the listing (which links exist and where they point) only while the profile directory's
 *   identity and times are those recorded; otherwise each link is read again unless its own lstat
 *   is the recorded one;
 * - a header only while its manifest's lstat is the recorded one (a rewrite changes its ctime);
 * - a system directory's existence only while its parent directory's lstat is the recorded one.
 * A timestamp only proves "unchanged since" once it is older than the file system's timestamp
 * granularity at the moment the index observed it ("settled"): a change in the same clock tick
 * would leave it equal. This module decides; the interpreter reads, writes and measures.
 */
import * as E from "fp-ts/lib/Either.js";
import type { GenerationNumber } from "./GenerationNumber.js";
import type { InRootPath } from "../paths/InRootPath.js";
import type { Header } from "./Manifest.js";

export const FORMAT = "switchyard-generations-index";
export const VERSION = 1;

/**
 * What identifies an inode's state; a cached fact holds only while all four are equal. The ctime
 * moves with every change of content, times or (for a directory) entries, and nothing sets it back;
 * the mtime adds nothing (setting it moves the ctime).
 */
export interface Validator {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly ctimeMs: number;
}

export interface Entry {
  readonly number: GenerationNumber;
  /** The link's target, as readlink gave it. */
  readonly target: string;
  readonly link: Validator;
  /** The link's mtime: the generation's creation time. */
  readonly createdMs: number;
  /**
   * What the system directory was in its parent: a plain directory (true), missing (false), or
   * something to resolve every time, such as a symlink (null).
   */
  readonly systemPresent: boolean | null;
  /** The manifest's lstat and decoded header, when its header was valid. */
  readonly manifest: { readonly stat: Validator; readonly header: Header } | null;
}

export interface Index {
  readonly profile: InRootPath;
  /**
   * Milliseconds from the profile directory's stat to the writing of the index: the index file's
   * own mtime minus this is a file-system time no later than when anything recorded was observed.
   */
  readonly spanMs: number;
  readonly directory: Validator;
  readonly profileTarget: string | null;
  /** Ascending by number. */
  readonly entries: ReadonlyArray<Entry>;
  /** The directories holding the system directories, with their lstat. */
  readonly parents: ReadonlyArray<{ readonly path: InRootPath; readonly stat: Validator }>;
}

export const same = (a: Validator, b: Validator): boolean => a.ino === b.ino && a.ctimeMs === b.ctimeMs && a.size === b.size && a.dev === b.dev;

/**
 * The coarsest timestamp step a file system may have: whole seconds (FAT keeps two) when a time has
 * no fraction of a second, else Linux's coarse clock tick (at most 10 ms) with a wide margin.
 */
const granularityMs = (t: number): number => (t % 1000 === 0 ? 2000 : 100);

/**
 * The horizon of an index: its file's mtime minus its span, so no later than the first observation
 * it records. A validator whose ctime is settled before it cannot share a tick with a later change.
 */
export const horizon = (index: Index, writtenMs: number): number => writtenMs - index.spanMs;

export const settled = (v: Validator, horizonMs: number): boolean => v.ctimeMs + granularityMs(v.ctimeMs) <= horizonMs;

/** Whether the listing can be used as it is: same profile, same directory, settled. */
export const listingHolds = (index: Index, profile: InRootPath, directory: Validator, horizonMs: number): boolean =>
  index.profile === profile && same(index.directory, directory) && settled(directory, horizonMs);

/** The target of a link whose lstat is the recorded one, or null when it must be read again. */
export const knownTarget = (entry: Entry | undefined, stat: Validator, horizonMs: number): string | null =>
  entry !== undefined && same(entry.link, stat) && settled(stat, horizonMs) ? entry.target : null;

export const parentHolds = (index: Index, path: InRootPath, stat: Validator, horizonMs: number): boolean => {
  const p = index.parents.find((q) => q.path === path);
  return p !== undefined && same(p.stat, stat) && settled(stat, horizonMs);
};

/** The recorded header when the manifest's lstat is the recorded one, else null (read it again). */
export const knownHeader = (entry: Entry | undefined, stat: Validator, horizonMs: number): Header | null =>
  entry?.manifest != null && same(entry.manifest.stat, stat) && settled(stat, horizonMs) ? entry.manifest.header : null;

/** Entries by generation number, for the lookups above. */
export const byNumber = (index: Index | null): ReadonlyMap<number, Entry> => new Map((index?.entries ?? []).map((e) => [e.number, e]));

// -------------------------------------------------------------------------------------------------
// The file: compact JSON arrays (10,000 generations make about 2.5 MB), decoded by hand because
// io-ts over 10,000 tuples would cost more than reading the links again.

type Json = unknown;
const v = (s: Validator): ReadonlyArray<number> => [s.dev, s.ino, s.size, s.ctimeMs];

/** A header path as stored: relative to the system directory when inside it, else absolute. */
const packPath = (system: string, path: string): string =>
  path === system ? "." : path.startsWith(`${system}/`) ? path.slice(system.length + 1) : path;
const unpackPath = (system: string, packed: string): string =>
  packed === "." ? system : packed.startsWith("/") ? packed : `${system === "/" ? "" : system}/${packed}`;

export const encode = (index: Index, systemOf: (e: Entry) => string): Json => ({
  format: FORMAT,
  version: VERSION,
  profile: index.profile,
  spanMs: index.spanMs,
  directory: v(index.directory),
  profileTarget: index.profileTarget,
  parents: index.parents.map((p) => [p.path, ...v(p.stat)]),
  entries: index.entries.map((e) => {
    const system = systemOf(e);
    const m = e.manifest;
    const header =
      m === null
        ? 0
        : [
            m.header.label,
            packPath(system, m.header.boot.kernel),
            m.header.boot.initrd === null ? 0 : packPath(system, m.header.boot.initrd),
            m.header.boot.params,
            m.header.activate === null ? 0 : packPath(system, m.header.activate),
          ];
    return [e.number, e.target, e.createdMs, ...v(e.link), e.systemPresent === null ? 2 : e.systemPresent ? 1 : 0, m === null ? 0 : v(m.stat), header];
  }),
});

class Malformed extends Error {}
const fail = (what: string): never => {
  throw new Malformed(what);
};
const num = (x: unknown, what: string): number => (typeof x === "number" && Number.isFinite(x) ? x : fail(what));
const str = (x: unknown, what: string): string => (typeof x === "string" ? x : fail(what));
const arr = (x: unknown, what: string): ReadonlyArray<unknown> => (Array.isArray(x) ? x : fail(what));
const validator = (xs: ReadonlyArray<unknown>, at: number, what: string): Validator => ({
  dev: num(xs[at], what),
  ino: num(xs[at + 1], what),
  size: num(xs[at + 2], what),
  ctimeMs: num(xs[at + 3], what),
});

/**
 * The index in a parsed file, or why it is not one (then it is ignored). `systemOf` resolves an
 * entry's target the way observation does, so stored header paths unpack against it.
 */
export const decode = (json: Json, systemOf: (number: number, target: string) => string | null): E.Either<string, Index> => {
  try {
    if (typeof json !== "object" || json === null) return fail("not an object");
    const o = json as Record<string, unknown>;
    if (o.format !== FORMAT || o.version !== VERSION) return fail("another format or version");
    const profile = str(o.profile, "profile") as InRootPath;
    const parents = arr(o.parents, "parents").map((p) => {
      const xs = arr(p, "parent");
      return { path: str(xs[0], "parent path") as InRootPath, stat: validator(xs, 1, "parent stat") };
    });
    let previous = 0;
    const entries = arr(o.entries, "entries").map((raw): Entry => {
      const xs = arr(raw, "entry");
      const number = num(xs[0], "number");
      if (!Number.isSafeInteger(number) || number <= previous) fail("numbers not ascending");
      previous = number;
      const target = str(xs[1], "target");
      const createdMs = num(xs[2], "created");
      const link = validator(xs, 3, "link stat");
      const systemPresent = xs[7] === 1 ? true : xs[7] === 0 ? false : null;
      let manifest: Entry["manifest"] = null;
      if (xs[8] !== 0) {
        const system = systemOf(number, target) ?? fail("target");
        const h = arr(xs[9], "header");
        const unpack = (x: unknown) => unpackPath(system, str(x, "header path"));
        manifest = {
          stat: validator(arr(xs[8], "manifest stat"), 0, "manifest stat"),
          header: {
            label: str(h[0], "label"),
            boot: { kernel: unpack(h[1]), initrd: h[2] === 0 ? null : unpack(h[2]), params: arr(h[3], "params").map((p) => str(p, "param")) },
            activate: h[4] === 0 ? null : unpack(h[4]),
          },
        };
      }
      return { number: number as GenerationNumber, target, createdMs, link, systemPresent, manifest };
    });
    const d = arr(o.directory, "directory");
    const profileTarget = o.profileTarget === null ? null : str(o.profileTarget, "profileTarget");
    return E.right({ profile, spanMs: num(o.spanMs, "spanMs"), directory: validator(d, 0, "directory"), profileTarget, entries, parents });
  } catch (e) {
    if (e instanceof Malformed) return E.left(e.message);
    throw e;
  }
};

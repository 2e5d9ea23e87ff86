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
 *
 * The entries are stored by column (numbers in flat arrays, repeated paths in a table), so that
 * 10,000 generations parse into a few dozen arrays rather than tens of thousands of objects. The
 * columns are a file of their own, named by an id from the small top file (the profile directory's
 * stat, the span, the parents): when only the directory changed (a lock file created and removed
 * in it), only the top is written again, not megabytes of columns.
 */
import * as E from "fp-ts/lib/Either.js";
import type { GenerationNumber } from "./GenerationNumber.js";
import type { InRootPath } from "../paths/InRootPath.js";
import type { Header } from "./Manifest.js";

export const FORMAT = "switchyard-generations-index";
export const COLUMNS_FORMAT = "switchyard-generations-index-columns";
export const VERSION = 2;

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

/** One generation as the index records it (the form for building one; it is stored by column). */
export interface Entry {
  readonly number: GenerationNumber;
  /** The link's target, as readlink gave it. */
  readonly target: string;
  /** The link's mtime: the generation's creation time. */
  readonly createdMs: number;
  readonly link: Validator;
  /**
   * What the system directory was in its parent: a plain directory (true), missing (false), or
   * something to resolve every time, such as a symlink (null).
   */
  readonly systemPresent: boolean | null;
  /** The manifest's lstat and its header, when the header was valid. */
  readonly manifest: { readonly stat: Validator; readonly header: Header } | null;
}

interface Columns {
  readonly number: ReadonlyArray<number>;
  readonly target: ReadonlyArray<string>;
  readonly created: ReadonlyArray<number>;
  /** Four per entry: dev, ino, size, ctimeMs. */
  readonly link: ReadonlyArray<number>;
  /** 1 a directory, 0 missing, 2 resolve again. */
  readonly present: ReadonlyArray<number>;
  /** Four per entry as `link`; a dev of -1 when no header is recorded. */
  readonly manifest: ReadonlyArray<number>;
  readonly label: ReadonlyArray<string>;
  /** Indexes into `paths` (-1: none); a path is stored relative to its system when inside it. */
  readonly kernel: ReadonlyArray<number>;
  readonly initrd: ReadonlyArray<number>;
  readonly activate: ReadonlyArray<number>;
  readonly paths: ReadonlyArray<string>;
  /** Index into `paramSets`. */
  readonly params: ReadonlyArray<number>;
  readonly paramSets: ReadonlyArray<ReadonlyArray<string>>;
}

export interface Index {
  readonly profile: InRootPath;
  /**
   * Milliseconds from the start of the observation to the writing of the top file: its own mtime
   * minus this is a file-system time no later than when anything recorded was observed.
   */
  readonly spanMs: number;
  readonly directory: Validator;
  readonly profileTarget: string | null;
  /** The directories holding the system directories, with their lstat. */
  readonly parents: ReadonlyArray<{ readonly path: InRootPath; readonly stat: Validator }>;
  readonly columns: Columns;
  /** The id of the columns file these columns were read from; null for columns not written yet. */
  readonly columnsId: string | null;
}

/**
 * An index as an observation makes it, to be written: its span is measured only as its top file is
 * written (`encodeTop`), so that it covers the writing of the columns too.
 */
export type Unwritten = Omit<Index, "spanMs">;

/** What the top file holds but the span: all but the columns. */
export type Top = Omit<Unwritten, "columns" | "columnsId">;

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
export const listingHolds = (index: Unwritten, profile: InRootPath, directory: Validator, horizonMs: number): boolean =>
  index.profile === profile && same(index.directory, directory) && settled(directory, horizonMs);

export const parentHolds = (index: Unwritten, path: InRootPath, stat: Validator, horizonMs: number): boolean => {
  const p = index.parents.find((q) => q.path === path);
  return p !== undefined && same(p.stat, stat) && settled(stat, horizonMs);
};

// -------------------------------------------------------------------------------------------------
// Entries, by position.

export const size = (index: Unwritten): number => index.columns.number.length;
export const numberAt = (index: Unwritten, i: number): GenerationNumber => index.columns.number[i] as GenerationNumber;
export const targetAt = (index: Unwritten, i: number): string => index.columns.target[i] as string;
export const createdAt = (index: Unwritten, i: number): number => index.columns.created[i] as number;
export const linkAt = (index: Unwritten, i: number): Validator => validatorAt(index.columns.link, i);
export const presentAt = (index: Unwritten, i: number): boolean | null => {
  const p = index.columns.present[i];
  return p === 1 ? true : p === 0 ? false : null;
};

const validatorAt = (xs: ReadonlyArray<number>, i: number): Validator => ({
  dev: xs[4 * i] as number,
  ino: xs[4 * i + 1] as number,
  size: xs[4 * i + 2] as number,
  ctimeMs: xs[4 * i + 3] as number,
});
const holdsAt = (xs: ReadonlyArray<number>, i: number, v: Validator, horizonMs: number): boolean =>
  xs[4 * i] === v.dev && xs[4 * i + 1] === v.ino && xs[4 * i + 2] === v.size && xs[4 * i + 3] === v.ctimeMs && settled(v, horizonMs);

/** Position by generation number, for a listing read again. */
export const positions = (index: Unwritten | null): ReadonlyMap<number, number> => new Map((index?.columns.number ?? []).map((n, i) => [n, i]));

/** Whether entry `i` records a header. */
export const hasHeaderAt = (index: Unwritten, i: number): boolean => index.columns.manifest[4 * i] !== -1;

/**
 * The same entries under a new directory stat and parents: what a listing read again finds when
 * only the directory changed (a lock file created and removed in it, as nix-env does).
 */
export const withTop = (index: Index, top: Top): Unwritten => ({ ...top, columns: index.columns, columnsId: index.columnsId });

/** The target of link `i` when its lstat is the recorded one, or null when it must be read again. */
export const knownTarget = (index: Unwritten, i: number, stat: Validator, horizonMs: number): string | null =>
  holdsAt(index.columns.link, i, stat, horizonMs) ? targetAt(index, i) : null;

/**
 * The recorded header of entry `i` (whose system directory is `system`) when its manifest's lstat
 * is the recorded one, else null (read the manifest again).
 */
export const knownHeader = (index: Unwritten, i: number, system: string, stat: Validator, horizonMs: number): Header | null =>
  index.columns.manifest[4 * i] !== -1 && holdsAt(index.columns.manifest, i, stat, horizonMs) ? new Stored(index.columns, i, system) : null;

/**
 * Whether entry `i` records a header whose manifest lstat was settled at this index's horizon: only
 * such a record may be checked later, or written into a newer index without being checked. One
 * made within a timestamp step of a change may hide a second change in the same step, which a
 * later horizon would no longer reveal.
 */
export const settledHeaderAt = (index: Unwritten, i: number, horizonMs: number): boolean =>
  hasHeaderAt(index, i) && settled(validatorAt(index.columns.manifest, i), horizonMs);

/**
 * What entry `i` records of its manifest (its lstat and header), not checked against the disk: for
 * an index written again while a command has not looked at that manifest (a settled record, see
 * `settledHeaderAt`). The next reader still trusts it only once the manifest's lstat is the recorded one.
 */
export const recordedManifest = (index: Unwritten, i: number, system: string): Entry["manifest"] =>
  hasHeaderAt(index, i) ? { stat: validatorAt(index.columns.manifest, i), header: new Stored(index.columns, i, system) } : null;

/** A recorded header; its paths are unpacked on first read (a listing reads only labels). */
class Stored implements Header {
  readonly label: string;
  #boot: Header["boot"] | undefined;
  readonly #columns: Columns;
  readonly #i: number;
  readonly #system: string;
  constructor(columns: Columns, i: number, system: string) {
    this.label = columns.label[i] as string;
    this.#columns = columns;
    this.#i = i;
    this.#system = system;
  }
  get boot(): Header["boot"] {
    const c = this.#columns;
    return (this.#boot ??= {
      kernel: unpack(this.#system, c.paths[c.kernel[this.#i] as number] as string),
      initrd: (c.initrd[this.#i] as number) < 0 ? null : unpack(this.#system, c.paths[c.initrd[this.#i] as number] as string),
      params: c.paramSets[c.params[this.#i] as number] as ReadonlyArray<string>,
    });
  }
  get activate(): string | null {
    const c = this.#columns;
    return (c.activate[this.#i] as number) < 0 ? null : unpack(this.#system, c.paths[c.activate[this.#i] as number] as string);
  }
}

/** A header path as stored: relative to the system directory when inside it, else absolute. */
const pack = (system: string, path: string): string =>
  path === system ? "." : path.startsWith(`${system}/`) ? path.slice(system.length + 1) : path;
const unpack = (system: string, packed: string): string =>
  packed === "." ? system : packed.startsWith("/") ? packed : `${system === "/" ? "" : system}/${packed}`;

// -------------------------------------------------------------------------------------------------
// Building and the file.

/** The index of `entries` (ascending); `systemOf` gives an entry's system directory, for packing paths. */
export const make = (
  top: Top,
  entries: ReadonlyArray<Entry>,
  systemOf: (e: Entry, i: number) => string,
): Unwritten => {
  const paths = new Map<string, number>();
  const params = new Map<string, number>();
  const paramSets: Array<ReadonlyArray<string>> = [];
  const pathRef = (system: string, path: string | null): number => {
    if (path === null) return -1;
    const p = pack(system, path);
    let n = paths.get(p);
    if (n === undefined) paths.set(p, (n = paths.size));
    return n;
  };
  type Building = { -readonly [K in Exclude<keyof Columns, "paths" | "paramSets">]: Array<Columns[K][number]> };
  const c: Building = { number: [], target: [], created: [], link: [], present: [], manifest: [], label: [], kernel: [], initrd: [], activate: [], params: [] };
  for (const [i, e] of entries.entries()) {
    c.number.push(e.number);
    c.target.push(e.target);
    c.created.push(e.createdMs);
    c.link.push(e.link.dev, e.link.ino, e.link.size, e.link.ctimeMs);
    c.present.push(e.systemPresent === null ? 2 : e.systemPresent ? 1 : 0);
    const m = e.manifest;
    const system = systemOf(e, i);
    if (m === null) {
      c.manifest.push(-1, 0, 0, 0);
      c.label.push("");
      c.kernel.push(-1);
      c.initrd.push(-1);
      c.activate.push(-1);
      c.params.push(-1);
      continue;
    }
    c.manifest.push(m.stat.dev, m.stat.ino, m.stat.size, m.stat.ctimeMs);
    c.label.push(m.header.label);
    c.kernel.push(pathRef(system, m.header.boot.kernel));
    c.initrd.push(pathRef(system, m.header.boot.initrd));
    c.activate.push(pathRef(system, m.header.activate));
    const key = JSON.stringify(m.header.boot.params);
    let p = params.get(key);
    if (p === undefined) {
      params.set(key, (p = paramSets.length));
      paramSets.push(m.header.boot.params);
    }
    c.params.push(p);
  }
  return { ...top, columns: { ...c, paths: [...paths.keys()], paramSets }, columnsId: null };
};

const v = (s: Validator): ReadonlyArray<number> => [s.dev, s.ino, s.size, s.ctimeMs];

/** The top file of `index`, naming its columns file `columnsId`, written `spanMs` after the observation began. */
export const encodeTop = (index: Unwritten, columnsId: string, spanMs: number): unknown => ({
  format: FORMAT,
  version: VERSION,
  columns: columnsId,
  profile: index.profile,
  spanMs,
  directory: v(index.directory),
  profileTarget: index.profileTarget,
  parents: index.parents.map((p) => [p.path, ...v(p.stat)]),
});

/** The columns file of `index`, as `columnsId`. */
export const encodeColumns = (index: Unwritten, columnsId: string): unknown => ({ format: COLUMNS_FORMAT, version: VERSION, id: columnsId, ...index.columns });

const isNumbers = (x: unknown, length: number): x is ReadonlyArray<number> =>
  Array.isArray(x) && x.length === length && x.every((n) => typeof n === "number" && Number.isFinite(n));
const isStrings = (x: unknown, length?: number): x is ReadonlyArray<string> =>
  Array.isArray(x) && (length === undefined || x.length === length) && x.every((s) => typeof s === "string");
const validator = (x: unknown): Validator | null => (isNumbers(x, 4) ? { dev: x[0] as number, ino: x[1] as number, size: x[2] as number, ctimeMs: x[3] as number } : null);
const refsWithin = (xs: ReadonlyArray<number>, limit: number, optional: boolean, present: (i: number) => boolean): boolean =>
  xs.every((r, i) => (present(i) ? Number.isInteger(r) && r < limit && (r >= 0 || (optional && r === -1)) : true));

/** The id of the columns file a parsed top file names, or null when it is no top file of this version. */
export const columnsIdOf = (top: unknown): string | null => {
  if (typeof top !== "object" || top === null) return null;
  const o = top as Record<string, unknown>;
  return o.format === FORMAT && o.version === VERSION && typeof o.columns === "string" ? o.columns : null;
};

/** The index in a parsed top file and columns file, or why they are not one (then it is ignored). */
export const decode = (topJson: unknown, columnsJson: unknown): E.Either<string, Index> => {
  if (typeof topJson !== "object" || topJson === null || typeof columnsJson !== "object" || columnsJson === null) return E.left("not an object");
  const id = columnsIdOf(topJson);
  if (id === null) return E.left("another format or version");
  const t = topJson as Record<string, unknown>;
  const c = columnsJson as Record<string, unknown>;
  if (c.format !== COLUMNS_FORMAT || c.version !== VERSION) return E.left("columns of another format or version");
  // Columns written by another observation than the top (a crash between the two writes, or a race).
  if (c.id !== id) return E.left("columns of another index");
  const o: Record<string, unknown> = { ...c, profile: t.profile, spanMs: t.spanMs, profileTarget: t.profileTarget, directory: t.directory, parents: t.parents };
  if (typeof o.profile !== "string" || typeof o.spanMs !== "number" || !Number.isFinite(o.spanMs)) return E.left("profile or span");
  if (o.profileTarget !== null && typeof o.profileTarget !== "string") return E.left("profileTarget");
  const directory = validator(o.directory);
  if (directory === null) return E.left("directory");
  if (!Array.isArray(o.parents)) return E.left("parents");
  const parents: Array<Index["parents"][number]> = [];
  for (const p of o.parents as ReadonlyArray<unknown>) {
    const stat = Array.isArray(p) && typeof p[0] === "string" ? validator(p.slice(1)) : null;
    if (stat === null) return E.left("parent");
    parents.push({ path: (p as ReadonlyArray<string>)[0] as InRootPath, stat });
  }
  const n = Array.isArray(o.number) ? o.number.length : -1;
  if (!isNumbers(o.number, n) || !o.number.every((x, i) => Number.isSafeInteger(x) && x >= 1 && (i === 0 || x > (o.number as ReadonlyArray<number>)[i - 1]!))) {
    return E.left("numbers not ascending");
  }
  if (!isStrings(o.target, n) || !isNumbers(o.created, n) || !isNumbers(o.link, 4 * n) || !isNumbers(o.present, n) || !isNumbers(o.manifest, 4 * n)) {
    return E.left("links");
  }
  if (!isStrings(o.label, n) || !isStrings(o.paths) || !Array.isArray(o.paramSets) || !(o.paramSets as ReadonlyArray<unknown>).every((s) => isStrings(s))) {
    return E.left("headers");
  }
  const manifest = o.manifest;
  const has = (i: number) => manifest[4 * i] !== -1;
  for (const [column, limit, optional] of [
    ["kernel", o.paths.length, false],
    ["initrd", o.paths.length, true],
    ["activate", o.paths.length, true],
    ["params", (o.paramSets as ReadonlyArray<unknown>).length, false],
  ] as const) {
    const xs = o[column];
    if (!isNumbers(xs, n) || !refsWithin(xs, limit, optional, has)) return E.left(column);
  }
  const { number, target, created, link, present, label, kernel, initrd, activate, paths, params, paramSets } = o as unknown as Columns;
  return E.right({
    profile: o.profile as InRootPath,
    spanMs: o.spanMs,
    directory,
    profileTarget: o.profileTarget as string | null,
    parents,
    columns: { number, target, created, link, present, manifest, label, kernel, initrd, activate, paths, params, paramSets },
    columnsId: id,
  });
};

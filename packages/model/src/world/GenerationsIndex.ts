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
 * 10,000 generations read back as a few dozen arrays rather than tens of thousands of objects: the
 * interpreter frames each numeric column as a typed array and each column of strings as one text
 * with the ends of its strings (`Column`), sliced only where read. The columns are a file of their
 * own, named by an id from the small top file (the profile directory's stat, the span, the
 * parents): when only the directory changed (a lock file created and removed in it), only the top
 * is written again, not megabytes of columns.
 */
import * as E from "fp-ts/lib/Either.js";
import type { GenerationNumber } from "./GenerationNumber.js";
import type { InRootPath } from "../paths/InRootPath.js";
import type { Header } from "./Manifest.js";

export const FORMAT = "switchyard-generations-index";
export const COLUMNS_FORMAT = "switchyard-generations-index-columns";
export const VERSION = 3;

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

/** A column read by position: an array, or one read back from the columns file (sliced where read). */
export interface Column<T> {
  readonly length: number;
  at(i: number): T | undefined;
}

interface Columns {
  readonly number: ArrayLike<number>;
  readonly target: Column<string>;
  readonly created: ArrayLike<number>;
  /** Four per entry: dev, ino, size, ctimeMs. */
  readonly link: ArrayLike<number>;
  /** 1 a directory, 0 missing, 2 resolve again. */
  readonly present: ArrayLike<number>;
  /** Four per entry as `link`; a dev of -1 when no header is recorded. */
  readonly manifest: ArrayLike<number>;
  readonly label: Column<string>;
  /** Indexes into `paths` (-1: none); a path is stored relative to its system when inside it. */
  readonly kernel: ArrayLike<number>;
  readonly initrd: ArrayLike<number>;
  readonly activate: ArrayLike<number>;
  readonly paths: Column<string>;
  /** Index into `paramSets`. */
  readonly params: ArrayLike<number>;
  readonly paramSets: Column<ReadonlyArray<string>>;
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

const settledTime = (ctimeMs: number, horizonMs: number): boolean => ctimeMs + granularityMs(ctimeMs) <= horizonMs;
export const settled = (v: Validator, horizonMs: number): boolean => settledTime(v.ctimeMs, horizonMs);

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
export const targetAt = (index: Unwritten, i: number): string => index.columns.target.at(i) as string;
export const createdAt = (index: Unwritten, i: number): number => index.columns.created[i] as number;
export const linkAt = (index: Unwritten, i: number): Validator => validatorAt(index.columns.link, i);
export const presentAt = (index: Unwritten, i: number): boolean | null => {
  const p = index.columns.present[i];
  return p === 1 ? true : p === 0 ? false : null;
};

const validatorAt = (xs: ArrayLike<number>, i: number): Validator => ({
  dev: xs[4 * i] as number,
  ino: xs[4 * i + 1] as number,
  size: xs[4 * i + 2] as number,
  ctimeMs: xs[4 * i + 3] as number,
});
const holdsAt = (xs: ArrayLike<number>, i: number, v: Validator, horizonMs: number): boolean =>
  xs[4 * i] === v.dev && xs[4 * i + 1] === v.ino && xs[4 * i + 2] === v.size && xs[4 * i + 3] === v.ctimeMs && settled(v, horizonMs);

/** The position of generation `number`, or -1: a binary search, since the numbers ascend (`make` keeps them so, `decode` checks it). */
export const positionOf = (index: Unwritten, number: number): number => {
  const numbers = index.columns.number;
  let low = 0;
  let high = numbers.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const n = numbers[mid] as number;
    if (n === number) return mid;
    if (n < number) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
};

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
  hasHeaderAt(index, i) && holdsAt(index.columns.manifest, i, stat, horizonMs) ? new Stored(index.columns, i, system) : null;

/**
 * Whether entry `i` records a header whose manifest lstat was settled at this index's horizon: only
 * such a record may be checked later, or written into a newer index without being checked. One
 * made within a timestamp step of a change may hide a second change in the same step, which a
 * later horizon would no longer reveal.
 */
export const settledHeaderAt = (index: Unwritten, i: number, horizonMs: number): boolean =>
  hasHeaderAt(index, i) && settledTime(index.columns.manifest[4 * i + 3] as number, horizonMs);

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
    this.label = columns.label.at(i) as string;
    this.#columns = columns;
    this.#i = i;
    this.#system = system;
  }
  get boot(): Header["boot"] {
    const c = this.#columns;
    return (this.#boot ??= {
      kernel: unpack(this.#system, c.paths.at(c.kernel[this.#i] as number) as string),
      initrd: (c.initrd[this.#i] as number) < 0 ? null : unpack(this.#system, c.paths.at(c.initrd[this.#i] as number) as string),
      params: c.paramSets.at(c.params[this.#i] as number) as ReadonlyArray<string>,
    });
  }
  get activate(): string | null {
    const c = this.#columns;
    return (c.activate[this.#i] as number) < 0 ? null : unpack(this.#system, c.paths.at(c.activate[this.#i] as number) as string);
  }
  /** The columns and position this record is read from, when it was recorded for `system` (its paths packed against it). */
  recordedFor(system: string): readonly [Columns, number] | null {
    return system === this.#system ? [this.#columns, this.#i] : null;
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
  const packedRef = (packed: string): number => {
    let n = paths.get(packed);
    if (n === undefined) paths.set(packed, (n = paths.size));
    return n;
  };
  const pathRef = (system: string, path: string | null): number => (path === null ? -1 : packedRef(pack(system, path)));
  const setRef = (set: ReadonlyArray<string>): number => {
    const key = JSON.stringify(set);
    let p = params.get(key);
    if (p === undefined) {
      params.set(key, (p = paramSets.length));
      paramSets.push(set);
    }
    return p;
  };
  // A record carried from an index (most of them, when an index is written again) is copied by
  // column: its paths stay packed, and each of its parameter sets is looked up once.
  const carriedSets = new Map<Columns, Map<number, number>>();
  const carriedSetRef = (from: Columns, k: number): number => {
    let sets = carriedSets.get(from);
    if (sets === undefined) carriedSets.set(from, (sets = new Map()));
    let p = sets.get(k);
    if (p === undefined) sets.set(k, (p = setRef(from.paramSets.at(k) as ReadonlyArray<string>)));
    return p;
  };
  const carriedRef = (from: Columns, ref: number): number => (ref < 0 ? -1 : packedRef(from.paths.at(ref) as string));
  type Building = { -readonly [K in Exclude<keyof Columns, "paths" | "paramSets">]: Columns[K] extends Column<infer T> ? Array<T> : Array<number> };
  const c: Building = { number: [], target: [], created: [], link: [], present: [], manifest: [], label: [], kernel: [], initrd: [], activate: [], params: [] };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Entry;
    c.number.push(e.number);
    c.target.push(e.target);
    c.created.push(e.createdMs);
    c.link.push(e.link.dev, e.link.ino, e.link.size, e.link.ctimeMs);
    c.present.push(e.systemPresent === null ? 2 : e.systemPresent ? 1 : 0);
    const m = e.manifest;
    const system = systemOf(e, i);
    // A carried record was checked when it was first made, or came from UTF-8.
    const carried = m !== null && m.header instanceof Stored ? m.header.recordedFor(system) : null;
    if (m === null || (carried === null && !wellFormedHeader(m.header))) {
      c.manifest.push(-1, 0, 0, 0);
      c.label.push("");
      c.kernel.push(-1);
      c.initrd.push(-1);
      c.activate.push(-1);
      c.params.push(-1);
      continue;
    }
    c.manifest.push(m.stat.dev, m.stat.ino, m.stat.size, m.stat.ctimeMs);
    if (carried !== null) {
      const [from, k] = carried;
      c.label.push(from.label.at(k) as string);
      c.kernel.push(carriedRef(from, from.kernel[k] as number));
      c.initrd.push(carriedRef(from, from.initrd[k] as number));
      c.activate.push(carriedRef(from, from.activate[k] as number));
      c.params.push(carriedSetRef(from, from.params[k] as number));
      continue;
    }
    c.label.push(m.header.label);
    c.kernel.push(pathRef(system, m.header.boot.kernel));
    c.initrd.push(pathRef(system, m.header.boot.initrd));
    c.activate.push(pathRef(system, m.header.activate));
    c.params.push(setRef(m.header.boot.params));
  }
  return { ...top, columns: { ...c, paths: [...paths.keys()], paramSets }, columnsId: null };
};

/**
 * A lone surrogate cannot be written as UTF-8 and read back: a header holding one (a label decoded
 * from a JSON escape) is not recorded, so its manifest is read again each time instead.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);
const wellFormedHeader = (h: Header): boolean =>
  wellFormed(h.label) && wellFormed(h.boot.kernel) && (h.boot.initrd === null || wellFormed(h.boot.initrd)) &&
  (h.activate === null || wellFormed(h.activate)) && h.boot.params.every(wellFormed);

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

/**
 * One column of the columns file: numbers as 64-bit floats (times, inode numbers, generation
 * numbers) or 32-bit integers (positions in the tables, kinds), or strings. The interpreter frames
 * them as bytes.
 */
export type Section =
  | { readonly kind: "f64" | "i32"; readonly values: ArrayLike<number> }
  | { readonly kind: "strings"; readonly values: Column<string> };

/** The columns file: what identifies it (format, version, id) and its sections by name. */
export interface ColumnsFile {
  readonly head: unknown;
  readonly sections: ReadonlyMap<string, Section>;
}

const F64 = ["number", "created", "link", "manifest"] as const;
const I32 = ["present", "kernel", "initrd", "activate", "params"] as const;
const STRINGS = ["target", "label", "paths"] as const;

/**
 * The columns file of `index`, as `columnsId`; null when a link target holds a lone surrogate
 * (which no readlink gives), so that no index is written rather than one that reads back otherwise.
 * The parameter sets are stored flat: their strings, and where each set ends among them.
 */
export const encodeColumns = (index: Unwritten, columnsId: string): ColumnsFile | null => {
  const c = index.columns;
  for (let i = 0; i < c.target.length; i++) if (!wellFormed(c.target.at(i) as string)) return null;
  const paramStrings: Array<string> = [];
  const paramEnds: Array<number> = [];
  for (let k = 0; k < c.paramSets.length; k++) {
    paramStrings.push(...(c.paramSets.at(k) as ReadonlyArray<string>));
    paramEnds.push(paramStrings.length);
  }
  const sections = new Map<string, Section>();
  for (const name of F64) sections.set(name, { kind: "f64", values: c[name] });
  for (const name of I32) sections.set(name, { kind: "i32", values: c[name] });
  for (const name of STRINGS) sections.set(name, { kind: "strings", values: c[name] });
  sections.set("paramStrings", { kind: "strings", values: paramStrings });
  sections.set("paramEnds", { kind: "i32", values: paramEnds });
  return { head: { format: COLUMNS_FORMAT, version: VERSION, id: columnsId }, sections };
};

/** The parameter sets read back: set `k` is the strings between the end of set `k - 1` and its own. */
class FlatSets implements Column<ReadonlyArray<string>> {
  readonly length: number;
  readonly #strings: Column<string>;
  readonly #ends: ArrayLike<number>;
  constructor(strings: Column<string>, ends: ArrayLike<number>) {
    this.length = ends.length;
    this.#strings = strings;
    this.#ends = ends;
  }
  at(k: number): ReadonlyArray<string> | undefined {
    if (!Number.isInteger(k) || k < 0 || k >= this.length) return undefined;
    const set: Array<string> = [];
    for (let j = k === 0 ? 0 : (this.#ends[k - 1] as number); j < (this.#ends[k] as number); j++) set.push(this.#strings.at(j) as string);
    return set;
  }
}

const finite = (xs: ArrayLike<number>, length: number): boolean => {
  if (xs.length !== length) return false;
  for (let i = 0; i < length; i++) if (!Number.isFinite(xs[i])) return false;
  return true;
};
const isNumbers = (x: unknown, length: number): x is ReadonlyArray<number> =>
  Array.isArray(x) && x.length === length && x.every((n) => typeof n === "number" && Number.isFinite(n));
const validator = (x: unknown): Validator | null => (isNumbers(x, 4) ? { dev: x[0] as number, ino: x[1] as number, size: x[2] as number, ctimeMs: x[3] as number } : null);
const refsWithin = (xs: ArrayLike<number>, limit: number, optional: boolean, present: (i: number) => boolean): boolean => {
  for (let i = 0; i < xs.length; i++) {
    const r = xs[i] as number;
    if (present(i) && !(Number.isInteger(r) && r < limit && (r >= 0 || (optional && r === -1)))) return false;
  }
  return true;
};
const ascending = (xs: ArrayLike<number>): boolean => {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (!Number.isSafeInteger(x) || x < 1 || (i > 0 && x <= (xs[i - 1] as number))) return false;
  }
  return true;
};

/** The id of the columns file a parsed top file names, or null when it is no top file of this version. */
export const columnsIdOf = (top: unknown): string | null => {
  if (typeof top !== "object" || top === null) return null;
  const o = top as Record<string, unknown>;
  return o.format === FORMAT && o.version === VERSION && typeof o.columns === "string" ? o.columns : null;
};

/** The index in a parsed top file and a framed columns file, or why they are not one (then it is ignored). */
export const decode = (topJson: unknown, columns: ColumnsFile): E.Either<string, Index> => {
  if (typeof topJson !== "object" || topJson === null || typeof columns.head !== "object" || columns.head === null) return E.left("not an object");
  const id = columnsIdOf(topJson);
  if (id === null) return E.left("another format or version");
  const t = topJson as Record<string, unknown>;
  const h = columns.head as Record<string, unknown>;
  if (h.format !== COLUMNS_FORMAT || h.version !== VERSION) return E.left("columns of another format or version");
  // Columns written by another observation than the top (a crash between the two writes, or a race).
  if (h.id !== id) return E.left("columns of another index");
  if (typeof t.profile !== "string" || typeof t.spanMs !== "number" || !Number.isFinite(t.spanMs)) return E.left("profile or span");
  if (t.profileTarget !== null && typeof t.profileTarget !== "string") return E.left("profileTarget");
  const directory = validator(t.directory);
  if (directory === null) return E.left("directory");
  if (!Array.isArray(t.parents)) return E.left("parents");
  const parents: Array<Index["parents"][number]> = [];
  for (const p of t.parents as ReadonlyArray<unknown>) {
    const stat = Array.isArray(p) && typeof p[0] === "string" ? validator(p.slice(1)) : null;
    if (stat === null) return E.left("parent");
    parents.push({ path: (p as ReadonlyArray<string>)[0] as InRootPath, stat });
  }
  const numbers = (name: string, kind: "f64" | "i32"): ArrayLike<number> | null => {
    const s = columns.sections.get(name);
    return s !== undefined && s.kind === kind ? s.values : null;
  };
  const strings = (name: string): Column<string> | null => {
    const s = columns.sections.get(name);
    return s !== undefined && s.kind === "strings" ? s.values : null;
  };
  const number = numbers("number", "f64");
  if (number === null || !ascending(number)) return E.left("numbers not ascending");
  const n = number.length;
  const [created, link, manifest, present] = [numbers("created", "f64"), numbers("link", "f64"), numbers("manifest", "f64"), numbers("present", "i32")];
  const target = strings("target");
  if (target?.length !== n || created === null || !finite(created, n) || link === null || !finite(link, 4 * n) || present?.length !== n || manifest === null || !finite(manifest, 4 * n)) {
    return E.left("links");
  }
  const [label, paths, paramStrings, paramEnds] = [strings("label"), strings("paths"), strings("paramStrings"), numbers("paramEnds", "i32")];
  if (label?.length !== n || paths === null || paramStrings === null || paramEnds === null) return E.left("headers");
  for (let k = 0; k < paramEnds.length; k++) {
    const end = paramEnds[k] as number;
    if (end < (k === 0 ? 0 : (paramEnds[k - 1] as number)) || end > paramStrings.length) return E.left("paramEnds");
  }
  const has = (i: number) => manifest[4 * i] !== -1;
  const refs: Record<string, ArrayLike<number>> = {};
  for (const [column, limit, optional] of [
    ["kernel", paths.length, false],
    ["initrd", paths.length, true],
    ["activate", paths.length, true],
    ["params", paramEnds.length, false],
  ] as const) {
    const xs = numbers(column, "i32");
    if (xs?.length !== n || !refsWithin(xs, limit, optional, has)) return E.left(column);
    refs[column] = xs;
  }
  return E.right({
    profile: t.profile as InRootPath,
    spanMs: t.spanMs,
    directory,
    profileTarget: t.profileTarget as string | null,
    parents,
    columns: {
      number,
      target,
      created,
      link,
      present,
      manifest,
      label,
      kernel: refs.kernel as ArrayLike<number>,
      initrd: refs.initrd as ArrayLike<number>,
      activate: refs.activate as ArrayLike<number>,
      paths,
      params: refs.params as ArrayLike<number>,
      paramSets: new FlatSets(paramStrings, paramEnds),
    },
    columnsId: id,
  });
};

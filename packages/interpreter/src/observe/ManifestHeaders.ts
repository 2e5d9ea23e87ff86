/**
 * Each generation with its manifest header, for listing and the boot menu: one lstat of every
 * manifest in one call; where the lstat is the one the generations index recorded, the recorded
 * header (the whole manifest is read only if something asks for it), otherwise the file is read
 * and decoded (a system without one is read by `SystemFiles`, every time). A manifest rewritten in
 * place or replaced changes its ctime (and usually its inode), so it is read again by the next command.
 *
 * `onDemand` (every command but `list`): a generation whose header the index records is checked
 * only when something first reads its header, format or manifest, with the same lstat and the same
 * fallbacks, together with the deferred ones just older than it. A plan reads the headers of the
 * boot menu's generations and of the ones it moves between, not the other 9,900 of a large profile.
 */
import { GenerationsIndex, type InRootPath, Manifest, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as ManifestFile from "./ManifestFile.js";
import * as SystemFiles from "./SystemFiles.js";
import { Clock } from "../ports/Clock.js";
import { FileSystem, type Stat } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

/** The generations to read, by column. */
export interface Links {
  readonly numbers: ArrayLike<number>;
  readonly systems: ReadonlyArray<InRootPath.InRootPath>;
  readonly created: ArrayLike<number>;
  /** False when the system directory is gone (garbage-collected): listed and deletable, not switchable. */
  readonly present: ReadonlyArray<boolean>;
  /** True where the system directory is known to be a plain directory (no link) in its parent. */
  readonly plain: ReadonlyArray<boolean | null>;
  /** Each one's position in the index, or -1. */
  readonly at: (i: number) => number;
  readonly linkPrefix: string;
}

/** Whether every header is checked now, in one call, or each where it is first read. */
export type Headers = "all" | "onDemand";

/** How many manifests are lstat'ed per call of the batch. */
const CHUNK = 512;

/** The window of deferred headers one first read checks at once: it and the older ones before it. */
const RESOLVE_BATCH = 128;

export interface Read {
  readonly generations: ReadonlyArray<World.Generation>;
  /** What the index may record of generation `i`: its manifest's lstat and valid header. */
  readonly cacheable: (i: number) => GenerationsIndex.Entry["manifest"];
  /** Whether a header was decoded that the index did not hold, so a repaired index is worth writing. */
  readonly reread: boolean;
  /** Whether the index holds a header for exactly the generations that have one now (all recorded ones). */
  readonly asRecorded: boolean;
}

/** What a manifest that failed to be read outside the batch (on demand) is reported as. */
const UNREADABLE = "could not be read; run the command again";

const invalid = (file: string, message: string): Extract<World.ManifestResult, { _tag: "Invalid" }> => ({
  _tag: "Invalid",
  error: { _tag: "ManifestError", file, field: "(file)", message },
});

/**
 * `learned`: told (synchronously, once per batch) when headers checked on demand were found changed
 * and read from their manifests, after the observation wrote its index: `cacheable` now gives
 * their new records, for an index written again.
 */
export const read = (root: Root.Root, links: Links, index: GenerationsIndex.Index | null, horizonMs: number, headers: Headers = "all", learned?: () => void) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const clock = yield* Clock;
    const n = links.numbers.length;
    const prefix = root.prefix;
    // Only a settled record can wait: it is carried into a rewritten index as it is (see `settledHeaderAt`).
    const deferred = (i: number): boolean =>
      headers === "onDemand" && links.present[i] === true && index !== null && links.at(i) >= 0 && GenerationsIndex.settledHeaderAt(index, links.at(i), horizonMs);
    const load = (system: InRootPath.InRootPath) => loadNow(fs, root, system);
    /** Generation `i` with the header the index records, when its manifest's lstat is the recorded one; else null. */
    const fromIndex = (i: number, stat: Stat | null, offset: number): World.Generation | null => {
      const system = links.systems[i] as InRootPath.InRootPath;
      const at = links.at(i);
      const header = stat === null || index === null || at < 0 ? null : GenerationsIndex.knownHeader(index, at, system, stat, horizonMs);
      if (header === null) return null;
      return ManifestFile.generationOf(links.numbers[i] as World.Generation["number"], system, links.created[i] as number, offset, links.linkPrefix, { _tag: "Cached", header, load });
    };
    /**
     * Generation `i` read from its system directory, and where its header came from: its
     * manifest.json, or elsewhere (invalid, or its system's own file).
     */
    const fromFile = (i: number) =>
      Effect.gen(function* () {
        const number = links.numbers[i] as World.Generation["number"];
        const system = links.systems[i] as InRootPath.InRootPath;
        const createdMs = links.created[i] as number;
        const offset = clock.utcOffsetMinutes(createdMs);
        // Anything not known (an error included) is read the ordinary way, with its ordinary errors.
        const source = ManifestFile.parsed(yield* ManifestFile.readText(root, system, true), system);
        const made = ManifestFile.generationOf(number, system, createdMs, offset, links.linkPrefix, source);
        if (source._tag === "Invalid") {
          // No manifest.json: a NixOS or Guix generation describes itself in its own file. Never
          // indexed (only valid manifest headers are), so it is read afresh by every command.
          const { header: _h, manifest: _m, ...link } = made;
          return { generation: (yield* SystemFiles.generation(root, link)) ?? made, from: "other" as const };
        }
        return { generation: made, from: "file" as const };
      });
    /** The deferred generations checked so far. */
    const done = new Map<number, World.Generation>();
    const unreadable = (j: number): World.Generation => {
      const createdMs = links.created[j] as number;
      const system = links.systems[j] as InRootPath.InRootPath;
      return ManifestFile.generationOf(links.numbers[j] as World.Generation["number"], system, createdMs, clock.utcOffsetMinutes(createdMs), links.linkPrefix, invalid(Root.host(root, system), UNREADABLE));
    };
    const runNow = <A, E>(effect: Effect.Effect<A, E, FileSystem>): A | null => runNowWith(fs, effect);
    /**
     * A deferred generation's header, checked and read now, as the batch would have (see `loadNow`),
     * with the older deferred ones next to it: the boot menu walks from the newest down, so one
     * batch of lstats answers it, not one run of the effect runtime per generation.
     */
    const resolveAt = (i: number): World.Generation => {
      const known = done.get(i);
      if (known !== undefined) return known;
      const batch: Array<number> = [];
      for (let j = i; j >= 0 && j > i - RESOLVE_BATCH; j--) if (deferred(j) && !done.has(j)) batch.push(j);
      const paths = batch.map((j) => `${prefix}${links.systems[j]}/${Manifest.FILE_NAME}`);
      const stats = runNow(fs.lstatEach(paths, batch.map((j) => links.plain[j] === true)));
      let changed = false;
      batch.forEach((j, k) => {
        const s = stats?.[k];
        const stat = s === undefined || "_tag" in s ? null : s;
        const known = fromIndex(j, stat, clock.utcOffsetMinutes(links.created[j] as number));
        if (known !== null) {
          valid[j] = true;
          done.set(j, known);
          return;
        }
        const file = runNow(fromFile(j));
        // What the index may record of it now: its new header, or nothing (read again next time).
        valid[j] = file?.from === "file" && stat !== null ? stat : false;
        changed = true;
        done.set(j, file?.generation ?? unreadable(j));
      });
      if (changed) learned?.();
      return done.get(i) as World.Generation;
    };
    const generations: Array<World.Generation> = new Array(n);
    /** Each generation's manifest lstat where its header was read from the file, or whether the index's record held. */
    const valid: Array<Stat | boolean> = new Array(n).fill(false);
    let reread = false;
    let asRecorded = true;
    // A chunk at a time: its paths and lstats are garbage before the collector next runs, instead
    // of 10,000 of each copied into the old generation.
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const files: Array<string> = [];
      const plain: Array<boolean> = [];
      for (let i = start; i < end; i++) {
        if (!links.present[i] || deferred(i)) continue;
        files.push(`${prefix}${links.systems[i]}/${Manifest.FILE_NAME}`);
        plain.push(links.plain[i] === true);
      }
      const stats = files.length === 0 ? [] : yield* fs.lstatEach(files, plain);
      let k = 0;
      for (let i = start; i < end; i++) {
        const number = links.numbers[i] as World.Generation["number"];
        const system = links.systems[i] as InRootPath.InRootPath;
        const createdMs = links.created[i] as number;
        const offset = clock.utcOffsetMinutes(createdMs);
        if (!links.present[i]) {
          const gone = invalid(Root.host(root, system), "the system directory does not exist (was it garbage-collected?)");
          generations[i] = ManifestFile.generationOf(number, system, createdMs, offset, links.linkPrefix, gone);
          if (index !== null && links.at(i) >= 0 && GenerationsIndex.hasHeaderAt(index, links.at(i))) asRecorded = false;
          continue;
        }
        const at = links.at(i);
        if (deferred(i)) {
          // Nothing per generation but the object: 10,000 of them live until the command ends.
          generations[i] = new OnDemand(number, system, createdMs, offset, links.linkPrefix, i, resolveAt);
          continue;
        }
        const s = stats[k++];
        const stat: Stat | null = s === undefined || "_tag" in s ? null : s;
        const recorded = index !== null && at >= 0 && GenerationsIndex.hasHeaderAt(index, at);
        // The common case, 10,000 times a listing: no Effect per generation.
        const known = fromIndex(i, stat, offset);
        if (known !== null) {
          generations[i] = known;
          // The lstat is the recorded one: the index's record stands for it.
          valid[i] = true;
          continue;
        }
        const { generation, from } = yield* fromFile(i);
        generations[i] = generation;
        if (recorded) asRecorded = false;
        if (from === "file" && stat !== null) {
          valid[i] = stat;
          reread = true;
          asRecorded = false;
        }
      }
    }
    const cacheable = (i: number): GenerationsIndex.Entry["manifest"] => {
      // Not looked at, or found as recorded: kept as it was recorded.
      if ((deferred(i) && !done.has(i)) || valid[i] === true) return GenerationsIndex.recordedManifest(index as GenerationsIndex.Index, links.at(i), links.systems[i] as string);
      const stat = valid[i];
      if (stat === undefined || typeof stat === "boolean") return null;
      const header = generations[i]?.header;
      return header === undefined || header._tag !== "Valid" ? null : { stat, header: header.header };
    };
    return { generations, cacheable, reread, asRecorded } satisfies Read;
  });

/**
 * A generation whose header the index records, checked against its manifest's lstat on first read
 * of anything that depends on it; until then only its number, system, link and times are known.
 */
class OnDemand extends ManifestFile.Linked implements World.Generation {
  readonly #position: number;
  readonly #resolve: (position: number) => World.Generation;
  #resolved: World.Generation | undefined;
  constructor(
    number: World.Generation["number"],
    system: World.Generation["system"],
    createdMs: number,
    utcOffsetMinutes: number,
    linkPrefix: string,
    position: number,
    resolve: (position: number) => World.Generation,
  ) {
    super(number, system, createdMs, utcOffsetMinutes, linkPrefix);
    this.#position = position;
    this.#resolve = resolve;
  }
  get header(): World.HeaderResult {
    return this.#now().header;
  }
  get manifest(): World.ManifestResult {
    return this.#now().manifest;
  }
  get format(): World.Generation["format"] {
    return this.#now().format;
  }
  get specialisations(): World.Generation["specialisations"] {
    return this.#now().specialisations;
  }
  #now(): World.Generation {
    return (this.#resolved ??= this.#resolve(this.#position));
  }
}

/**
 * The whole manifest of a generation whose header came from the index, read when something first
 * asks for it (a plan reads two or three of them, a listing none). The file-system layers are
 * synchronous, so it is run to completion here; anything else is reported as an unreadable manifest.
 */
const loadNow = (fs: FileSystem["Type"], root: Root.Root, system: InRootPath.InRootPath): World.ManifestResult =>
  runNowWith(fs, ManifestFile.read(root, system, true)) ?? invalid(Root.host(root, system), UNREADABLE);

/** `effect` run to completion on `fs` (the file-system layers are synchronous); null when it failed. */
const runNowWith = <A, E>(fs: FileSystem["Type"], effect: Effect.Effect<A, E, FileSystem>): A | null => {
  try {
    return Effect.runSync(effect.pipe(Effect.provideService(FileSystem, fs)));
  } catch {
    return null;
  }
};

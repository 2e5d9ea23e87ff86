/**
 * Each generation's manifest header, for listing and the boot menu: one lstat of every manifest in
 * one call; where the lstat is the one the generations index recorded, the recorded header (the
 * whole manifest is read only if something asks for it), otherwise the file is read and decoded.
 * A manifest rewritten in place or replaced changes its ctime (and usually its inode), so it is
 * read again by the next command.
 */
import { GenerationsIndex, Manifest, type World } from "@switchyard/model";
import { Effect } from "effect";
import type * as Links from "./Links.js";
import * as ManifestFile from "./ManifestFile.js";
import { FileSystem, type Stat } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export interface Sources {
  readonly sources: ReadonlyArray<ManifestFile.Source>;
  /** What the index may record of each: its lstat and valid header. */
  readonly cacheable: ReadonlyArray<GenerationsIndex.Entry["manifest"]>;
  /** Whether a header was decoded that the index did not hold, so a repaired index is worth writing. */
  readonly reread: boolean;
}

const invalid = (file: string, message: string): ManifestFile.Source => ({
  _tag: "Invalid",
  error: { _tag: "ManifestError", file, field: "(file)", message },
});

export const sources = (
  root: Root.Root,
  generations: ReadonlyArray<Links.LinkObservation>,
  index: GenerationsIndex.Index | null,
  positionOf: (i: number) => number,
  horizonMs: number,
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const fileOf = (g: Links.LinkObservation) => Root.host(root, `${g.system === "/" ? "" : g.system}/${Manifest.FILE_NAME}`);
    const present: Array<number> = [];
    const files: Array<string> = [];
    for (const [i, g] of generations.entries()) {
      if (!g.exists) continue;
      present.push(i);
      files.push(fileOf(g));
    }
    const stats = yield* fs.lstatEach(files);
    const statOf: Array<Stat | null> = new Array(generations.length).fill(null);
    for (const [k, i] of present.entries()) {
      const s = stats[k];
      statOf[i] = s === undefined || "_tag" in s ? null : s;
    }
    const out: Array<ManifestFile.Source> = new Array(generations.length);
    const cacheable: Array<GenerationsIndex.Entry["manifest"]> = new Array(generations.length).fill(null);
    let reread = false;
    for (const [i, g] of generations.entries()) {
      if (!g.exists) {
        out[i] = invalid(Root.host(root, g.system), "the system directory does not exist (was it garbage-collected?)");
        continue;
      }
      const stat = statOf[i] ?? null;
      const at = positionOf(i);
      const header = stat === null || index === null || at < 0 ? null : GenerationsIndex.knownHeader(index, at, g.system, stat, horizonMs);
      if (stat !== null && header !== null) {
        out[i] = { _tag: "Cached", header, load: () => loadNow(fs, root, g) };
        cacheable[i] = { stat, header };
        continue;
      }
      // Anything not known (an error included) is read the ordinary way, with its ordinary errors.
      const source = ManifestFile.parsed(yield* ManifestFile.readText(root, g.system, true), g.system);
      out[i] = source;
      if (source._tag === "Parsed" && stat !== null) {
        cacheable[i] = { stat, header: source.header };
        reread = true;
      }
    }
    return { sources: out, cacheable, reread } satisfies Sources;
  });

/**
 * The whole manifest of a generation whose header came from the index, read when something first
 * asks for it (a plan reads two or three of them, a listing none). The file-system layers are
 * synchronous, so it is run to completion here; anything else is reported as an unreadable manifest.
 */
const loadNow = (fs: FileSystem["Type"], root: Root.Root, g: Links.LinkObservation): World.ManifestResult => {
  try {
    return Effect.runSync(ManifestFile.read(root, g.system, true).pipe(Effect.provideService(FileSystem, fs)));
  } catch {
    return { _tag: "Invalid", error: { _tag: "ManifestError", file: Root.host(root, g.system), field: "(file)", message: "could not be read; run the command again" } };
  }
};

/**
 * Whether each generation's system directory exists, checking on the host that it stays inside the
 * root. System directories share a parent (a store): its real path is resolved once, and while its
 * lstat is the one the generations index recorded (no entry added, removed or renamed in it), each
 * plain directory found there before is there still; otherwise one lstat each, in one call, and a
 * realpath only for a system directory that is itself a symlink.
 */
import { GenerationsIndex, InRootPath } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError, observeFailure } from "../Errors.js";
import * as Links from "./Links.js";
import { FileSystem, type FsError, type Stat } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

export interface Checked {
  /** In the order of the systems asked about. */
  readonly present: ReadonlyArray<boolean>;
  /** What the index records of each: see `GenerationsIndex.Entry.systemPresent`. */
  readonly recordable: ReadonlyArray<boolean | null>;
  readonly parents: ReadonlyArray<{ readonly path: InRootPath.InRootPath; readonly stat: Stat }>;
  /** Whether anything had to be looked at again, so a repaired index is worth writing. */
  readonly rechecked: boolean;
}

const io = (e: FsError) => observeFailure(e);
const isStat = (s: Stat | FsError | undefined): s is Stat => s !== undefined && !("_tag" in s);

export const check = (
  root: Root.Root,
  systems: ReadonlyArray<InRootPath.InRootPath>,
  index: GenerationsIndex.Index | null,
  horizonMs: number,
  recorded: (i: number) => boolean | null,
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const realRoot = yield* Links.realRootOf(root);
    const within = (real: string) => realRoot === "/" || real === realRoot || real.startsWith(`${realRoot}/`);
    const outside = (path: InRootPath.InRootPath, real: string) =>
      new ObserveError({ reason: "Link", message: `${Root.host(root, path)} resolves outside the root (to ${real}); fix the symlinks on the way` });

    const parents: Array<{ path: InRootPath.InRootPath; stat: Stat }> = [];
    const state = new Map<string, { readonly real: string | null; readonly holds: boolean }>();
    // System directories nearly always share one parent: it is compared, not sliced out, each time.
    const parentOf: Array<InRootPath.InRootPath> = new Array(systems.length);
    let last: InRootPath.InRootPath | null = null;
    for (let i = 0; i < systems.length; i++) {
      const system = systems[i] as InRootPath.InRootPath;
      const slash = system.lastIndexOf("/");
      const same: boolean = last !== null && slash === (last === "/" ? 0 : last.length) && system.startsWith(last);
      const parent: InRootPath.InRootPath = same ? (last as InRootPath.InRootPath) : InRootPath.dirname(system);
      parentOf[i] = parent;
      last = parent;
      if (state.has(parent)) continue;
      const real = yield* fs.realPath(Root.host(root, parent)).pipe(
        Absent.orNull,
        Effect.mapError(io),
      );
      const [stat] = real === null ? [undefined] : yield* fs.lstatEach([real]);
      if (isStat(stat) && stat.kind === "directory") parents.push({ path: parent, stat });
      const holds = index !== null && isStat(stat) && GenerationsIndex.parentHolds(index, parent, stat, horizonMs);
      state.set(parent, { real, holds });
    }

    const present: Array<boolean> = new Array(systems.length);
    const recordable: Array<boolean | null> = new Array(systems.length);
    const again: Array<number> = [];
    systems.forEach((_system, i) => {
      const parent = state.get(parentOf[i] as string) as { real: string | null; holds: boolean };
      const before = parent.holds ? recorded(i) : null;
      present[i] = parent.real === null ? false : (before ?? false);
      recordable[i] = parent.real === null ? null : before;
      if (parent.real !== null && before === null) again.push(i);
    });
    for (const { real } of state.values()) {
      if (real !== null && !within(real)) {
        const i = systems.findIndex((s) => state.get(InRootPath.dirname(s))?.real === real);
        return yield* outside(systems[i] as InRootPath.InRootPath, `${real}/${InRootPath.basename(systems[i] as InRootPath.InRootPath)}`);
      }
    }
    const stats = yield* fs.lstatEach(again.map((i) => Root.host(root, systems[i] as InRootPath.InRootPath)));
    for (const [k, i] of again.entries()) {
      const s = stats[k];
      const system = systems[i] as InRootPath.InRootPath;
      if (isStat(s)) {
        if (s.kind !== "symlink") {
          present[i] = true;
          recordable[i] = s.kind === "directory" ? true : null;
          continue;
        }
        // A system directory that is a link is resolved every time: its target can change elsewhere.
        const real = yield* fs.realPath(Root.host(root, system)).pipe(
          Absent.orNull,
          Effect.mapError(io),
        );
        if (real !== null && !within(real)) return yield* outside(system, real);
        present[i] = real !== null;
        recordable[i] = null;
      } else if (s !== undefined && s.reason === "NotFound") {
        present[i] = false;
        recordable[i] = false;
      } else if (s !== undefined) return yield* io(s);
    }
    const unchangedParents = index !== null && parents.length === index.parents.length && [...state.values()].every((p) => p.holds);
    // What is resolved every time (a linked system directory) is no reason to write the index again.
    const rechecked = !unchangedParents || again.some((i) => recordable[i] !== null);
    return { present, recordable, parents, rechecked } satisfies Checked;
  });

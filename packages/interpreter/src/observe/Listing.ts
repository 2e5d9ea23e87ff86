/**
 * Which generation links the profile has and where they point: the generations index's record
 * while the profile directory is unchanged and settled (one lstat), otherwise one `readEntries` of
 * the directory, reading again only the links whose lstat is not the recorded one.
 */
import { GenerationsIndex, ProfileEntry, World } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError, observeFailure } from "../Errors.js";
import { type DirectoryListing, FileSystem, type FsError, type Stat } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

/** The listing by column: numbers ascending, each link's target, mtime and lstat. */
export interface Listed {
  readonly numbers: ArrayLike<number>;
  readonly targets: GenerationsIndex.Column<string>;
  readonly created: ArrayLike<number>;
  readonly stat: (i: number) => GenerationsIndex.Validator;
  /** Each link's position in the index, or -1. */
  readonly at: (i: number) => number;
  /** Whether it is the index's own (nothing was listed). */
  readonly fromIndex: boolean;
  readonly profile: { readonly target: string } | null;
  /** The profile directory's stat, null when it is missing. */
  readonly directory: Stat | null;
}

const io = (e: FsError) => observeFailure(e);
const layout = (message: string) => new ObserveError({ reason: "Layout", message });

export const read = (root: Root.Root, settings: World.Settings, index: GenerationsIndex.Index | null, horizon: number, startedMs: number) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const name = World.profileName(settings);
    const hostDir = Root.host(root, World.profileDir(settings));
    const [dirStat] = yield* fs.lstatEach([hostDir]);
    // The directory's own times vouch for the whole listing only while the clock has not gone back
    // behind the index: after a step back, a later change can land on a recorded time. Then each
    // link is checked against its own lstat instead (a retargeted link is a new inode).
    if (
      index !== null && dirStat !== undefined && !("_tag" in dirStat) && dirStat.kind === "directory" &&
      startedMs >= horizon + index.spanMs &&
      GenerationsIndex.listingHolds(index, settings.profile, dirStat, horizon)
    ) {
      const c = index.columns;
      const profile = index.profileTarget === null ? null : { target: index.profileTarget };
      return { numbers: c.number, targets: c.target, created: c.created, stat: (i) => GenerationsIndex.linkAt(index, i), at: (i) => i, fromIndex: true, profile, directory: dirStat } satisfies Listed;
    }
    const positionOf = (n: number): number => (index === null ? -1 : GenerationsIndex.positionOf(index, n));
    /** The target the index records for a generation link whose lstat is the recorded one, else null. */
    const known = (kind: ProfileEntry.ProfileEntry, stat: Stat): string | null => {
      const i = kind._tag === "Generation" ? positionOf(kind.number) : -1;
      return index === null || i < 0 ? null : GenerationsIndex.knownTarget(index, i, stat, horizon);
    };
    // Each entry is classified again below rather than remembered: that makes only objects that die
    // young, where two maps of 10,000 names would live until the listing ends.
    const listing = yield* fs
      .readEntries(hostDir, (entry, stat) => {
        const kind = ProfileEntry.classify(name, entry);
        return kind._tag === "Profile" || (kind._tag === "Generation" && known(kind, stat) === null);
      })
      .pipe(
        Absent.orNull,
        Effect.mapError(io),
      );
    let profile: { target: string } | null = null;
    const found: Array<{ readonly number: number; readonly target: string; readonly stat: Stat }> = [];
    for (const entry of listing?.entries ?? []) {
      const kind = ProfileEntry.classify(name, entry.name);
      const host = () => `${hostDir}/${entry.name}`;
      if (kind._tag === "Malformed") return yield* layout(`${host()}: ${kind.message}`);
      if (kind._tag === "Profile") {
        if (entry.stat.kind !== "symlink") return yield* layout(`${host()} should be a symlink but is a ${entry.stat.kind}; move it away`);
        profile = { target: entry.target ?? "" };
      }
      if (kind._tag !== "Generation") continue;
      if (entry.stat.kind !== "symlink") {
        return yield* layout(`${host()} should be a symlink to a system directory but is a ${entry.stat.kind}; move it out of the profile directory`);
      }
      found.push({ number: kind.number, target: entry.target ?? known(kind, entry.stat) ?? "", stat: entry.stat });
    }
    found.sort((a, b) => a.number - b.number);
    // The index's facts about a system hold only for the target it recorded.
    const at = found.map((l) => {
      const i = positionOf(l.number);
      return index !== null && i >= 0 && GenerationsIndex.targetAt(index, i) === l.target ? i : -1;
    });
    return {
      numbers: found.map((f) => f.number),
      targets: found.map((f) => f.target),
      created: found.map((f) => f.stat.mtimeMs),
      stat: (i) => found[i]!.stat,
      at: (i) => at[i]!,
      fromIndex: false,
      profile,
      directory: listing?.directory ?? null,
    } satisfies Listed;
  });

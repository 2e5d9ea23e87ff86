/**
 * The generation links of the profile and each one's manifest header, read through the generations
 * index (`IndexFile`, decided by the model's `GenerationsIndex`). With a settled index and an
 * unchanged profile directory that is one lstat of the directory and, for a listing, one of each
 * manifest (the other commands check a recorded header where it is first read); after a change,
 * one listing of the directory with each link's lstat, and a readlink and a manifest read only for
 * what changed. The calls are coarse (`readEntries`, `lstatEach`): one Effect per batch, not one
 * per generation. A repaired index is written back when the directory has settled.
 */
import { type GenerationNumber, GenerationsIndex, InRootPath, ProfileEntry, World } from "@switchyard/model";
import { Context, Effect } from "effect";
import { ObserveError } from "../Errors.js";
import * as IndexFile from "./IndexFile.js";
import * as Links from "./Links.js";
import * as Listing from "./Listing.js";
import * as ManifestHeaders from "./ManifestHeaders.js";
import * as Systems from "./Systems.js";
import { Clock } from "../ports/Clock.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export interface Observed {
  /** Ascending, each with its manifest header (its whole manifest read or decoded on first use). */
  readonly generations: ReadonlyArray<World.Generation>;
  readonly profileTarget: string | null;
  readonly current: GenerationNumber.GenerationNumber | null;
}

/** `headers`: `all` to check every manifest now (a listing shows every label), see `ManifestHeaders`. */
export const observe = Effect.fn("observeGenerations")(function* (root: Root.Root, settings: World.Settings, headers: ManifestHeaders.Headers = "onDemand") {
  const clock = yield* Clock;
  const dir = World.profileDir(settings);
  const name = World.profileName(settings);
  const cached = yield* IndexFile.read(root);
  const index = cached?.index ?? null;
  const horizon = cached?.horizonMs ?? -Infinity;
  const startedMs = yield* clock.nowMs;
  const listed = yield* Listing.read(root, settings, index, horizon, startedMs);
  const { fromIndex, profile, directory } = listed;

  const n = listed.numbers.length;
  const systems: Array<InRootPath.InRootPath> = new Array(n);
  for (let i = 0; i < n; i++) {
    const target = listed.targets.at(i) as string;
    const system = InRootPath.resolve(dir, target);
    if (system._tag === "Left") {
      const link = World.linkPathOf(settings, listed.numbers[i] as number);
      return yield* new ObserveError({ reason: "Link", message: `${Root.host(root, link)} points outside the root (${target}); remove it or point it inside` });
    }
    systems[i] = system.right;
  }
  const checked = yield* Systems.check(root, systems, index, horizon, (i) => {
    const at = listed.at(i);
    return index === null || at < 0 ? null : GenerationsIndex.presentAt(index, at);
  });
  const linkPrefix = `${dir === "/" ? "" : dir}/${name}-`;
  // Set once the index is written: headers checked on demand later and found changed write it again.
  let learned: (() => void) | null = null;
  const read = yield* ManifestHeaders.read(
    root,
    { numbers: listed.numbers, systems, created: listed.created, present: checked.present, plain: checked.recordable, at: listed.at, linkPrefix },
    index,
    horizon,
    headers,
    () => learned?.(),
  );

  const current = profile === null ? null : yield* currentOf(root, settings, profile.target, listed.numbers);
  /** Write the index again if it was repaired (`again`: headers read on demand since it was written), as observed from `startedMs`. */
  const writeIndex = (again: boolean) =>
    Effect.gen(function* () {
      const repaired = again || !fromIndex || checked.rechecked || read.reread;
      // Written only once it can be trusted, else the next command would just read everything again.
      if (!repaired || directory === null || directory.kind !== "directory" || !GenerationsIndex.settled(directory, startedMs - 1)) return;
      const top = { profile: settings.profile, directory, profileTarget: profile?.target ?? null, parents: checked.parents };
      // Every entry as recorded (only the directory moved): the index's own columns, not rebuilt.
      const same =
        !again && index !== null && !checked.rechecked && read.asRecorded && n === GenerationsIndex.size(index) &&
        everyIndex(n, (i) => listed.at(i) === i && listed.targets.at(i) === GenerationsIndex.targetAt(index, i) && GenerationsIndex.knownTarget(index, i, listed.stat(i), horizon) !== null);
      const entries = same ? [] : Array.from(
        { length: n },
        (_, i): GenerationsIndex.Entry => ({
          number: listed.numbers[i] as GenerationNumber.GenerationNumber,
          target: listed.targets.at(i) as string,
          link: listed.stat(i),
          createdMs: listed.created[i] as number,
          systemPresent: checked.recordable[i] ?? null,
          manifest: read.cacheable(i),
        }),
      );
      yield* IndexFile.write(root, same ? GenerationsIndex.withTop(index, top) : GenerationsIndex.make(top, entries, (_e, i) => systems[i]!), startedMs);
    });
  yield* writeIndex(false);
  // Later, from where a header is first read (a getter, outside any Effect): run to completion on
  // the same ports; an index that cannot be written is simply not (it is a cache).
  const ports = Context.make(FileSystem, yield* FileSystem).pipe(Context.add(Clock, clock));
  learned = () => {
    try {
      Effect.runSync(writeIndex(true).pipe(Effect.provide(ports)));
    } catch {
      // Left as it was.
    }
  };
  return { generations: read.generations, profileTarget: profile?.target ?? null, current } satisfies Observed;
});

const everyIndex = (n: number, holds: (i: number) => boolean): boolean => {
  for (let i = 0; i < n; i++) if (!holds(i)) return false;
  return true;
};

const currentOf = (root: Root.Root, settings: World.Settings, profileTarget: string, numbers: ArrayLike<number>) =>
  Effect.gen(function* () {
    const resolved = yield* Links.resolveInside(root, settings.profile, profileTarget);
    const named = ProfileEntry.generationOfTarget(World.profileDir(settings), World.profileName(settings), resolved);
    const hostProfile = Root.host(root, settings.profile);
    const name = World.profileName(settings);
    if (named === null) {
      return yield* new ObserveError({ reason: "Link", message: `${hostProfile} points to ${profileTarget}, which is not a generation of this profile; point it at a ${name}-N-link` });
    }
    if (!Array.prototype.includes.call(numbers, named)) {
      return yield* new ObserveError({ reason: "Link", message: `${hostProfile} is dangling: ${profileTarget} does not exist; point it at an existing generation (ln -sfn ${name}-N-link ${hostProfile})` });
    }
    return named;
  });

/**
 * The apply journal: `/var/lib/switchyard/journal/` holds the plan being carried out (`plan.json`,
 * written once; it carries its own revert steps) and how far it got (`progress.json`: the phase and
 * a step index, rewritten atomically when the Commit step completes and when a revert starts).
 * It appears and disappears by renaming a whole directory, so it is either complete or absent; a
 * crash anywhere leaves enough for `recover` to finish the transition or revert it.
 */
import { Plan, World } from "@switchyard/model";
import { Effect } from "effect";
import * as t from "io-ts";
import * as Durable from "../durable/Durable.js";
import { JournalUnreadable } from "../Errors.js";
import * as Failpoint from "../durable/Failpoint.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export const Progress = t.readonly(
  t.type({ phase: t.union([t.literal("forward"), t.literal("revert")]), done: t.number }, "Progress"),
);
export type Progress = t.TypeOf<typeof Progress>;

export interface Entry {
  readonly plan: Plan.Plan;
  readonly progress: Progress;
}

export const directory = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/journal`);
const stateDirectory = (root: Root.Root): string => Root.host(root, World.Paths.stateDir);
const encoder = new TextEncoder();
const json = (value: unknown): Uint8Array => encoder.encode(`${JSON.stringify(value)}\n`);

/** Names of leftovers from an interrupted begin or finish, which recovery removes. */
export const isLeftover = (name: string): boolean => /^\.journal-(new|done)-/.test(name);

/** Write the journal for `plan` before its first step. */
export const begin = Effect.fn("journalBegin")(function* (root: Root.Root, plan: Plan.Plan, token: string) {
  const fs = yield* FileSystem;
  const state = stateDirectory(root);
  const staging = `${state}/.journal-new-${token}`;
  yield* removeTree(staging).pipe(Effect.ignore);
  yield* fs.makeDirectory(staging);
  const stage = Effect.gen(function* () {
    for (const [name, value] of [
      ["plan.json", Plan.encode(plan)],
      ["progress.json", { phase: "forward", done: -1 } satisfies Progress],
    ] as const) {
      yield* fs.writeNewFile(`${staging}/${name}`, json(value));
      yield* fs.fsync(`${staging}/${name}`);
    }
    yield* fs.fsyncDirectory(staging);
  });
  // A journal that could not be written completely leaves nothing behind: nothing was done yet.
  let renamed = false;
  yield* Effect.gen(function* () {
    yield* stage;
    yield* Failpoint.hit("journal:staged");
    yield* fs.rename(staging, directory(root));
    renamed = true;
    yield* fs.fsyncDirectory(state);
  }).pipe(Effect.tapError(() => removeTree(renamed ? directory(root) : staging).pipe(Effect.ignore)));
  yield* Failpoint.hit("journal:begun");
});

/** Record that step `done` of `phase` completed. */
export const record = (root: Root.Root, progress: Progress) =>
  Durable.writeFile(`${directory(root)}/progress.json`, json(progress)).pipe(Effect.withSpan("journalRecord"));

/** Remove the journal: one rename makes it gone, then its files are cleaned up. */
export const finish = Effect.fn("journalFinish")(function* (root: Root.Root, token: string) {
  const fs = yield* FileSystem;
  const state = stateDirectory(root);
  const done = `${state}/.journal-done-${token}`;
  // A leftover of an earlier run with the same token would make the rename fail.
  yield* removeTree(done).pipe(Effect.ignore);
  yield* fs.rename(directory(root), done);
  yield* fs.fsyncDirectory(state);
  yield* Failpoint.hit("journal:finished");
  yield* removeTree(done);
});

/**
 * Remove a journal directory and its files durably: the removals inside it are flushed before the
 * directory goes, and its removal is flushed in the parent, so a crash cannot bring it back.
 */
export const removeTree = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const names = yield* fs.readDirectory(dir);
    for (const name of names) yield* fs.remove(`${dir}/${name}`);
    if (names.length > 0) yield* fs.fsyncDirectory(dir);
    yield* fs.removeDirectory(dir);
    yield* fs.fsyncDirectory(Root.dirnameOf(dir));
  });

/** The journal, or null when there is none. A journal that cannot be decoded is never guessed at. */
export const read = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const dir = directory(root);
    const present = yield* fs.lstat(dir).pipe(
      Effect.as(true),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(false)),
    );
    if (!present) return null;
    const unreadable = (what: string) =>
      new JournalUnreadable({ message: `the journal ${dir} cannot be decoded (${what}); it was left untouched: inspect it, then repair the machine by hand and remove it` });
    const load = (name: string) =>
      fs.readFile(`${dir}/${name}`).pipe(
        Effect.mapError((e: FsError) => unreadable(`${name}: ${e.message}`)),
        Effect.flatMap((bytes) =>
          Effect.try({ try: () => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown, catch: () => unreadable(`${name} is not JSON`) }),
        ),
      );
    const plan = Plan.decode(yield* load("plan.json"));
    if (plan._tag === "Left") return yield* unreadable(`plan.json: ${plan.left.field}: ${plan.left.message}`);
    const progress = Progress.decode(yield* load("progress.json"));
    if (progress._tag === "Left" || !Number.isInteger(progress.right.done) || progress.right.done < -1) {
      return yield* unreadable("progress.json is not a progress record");
    }
    return { plan: plan.right, progress: progress.right } satisfies Entry;
  });

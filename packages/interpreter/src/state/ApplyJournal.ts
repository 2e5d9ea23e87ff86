/**
 * The apply journal: `/var/lib/switchyard/journal/` holds the plan being carried out (`plan.json`,
 * written once; it carries its own revert steps) and how far it got (`progress.json`: the phase and
 * a step index, written atomically when the Commit step completes and when a revert starts; until
 * then it is absent, which means nothing was recorded yet).
 * The journal's copy of the plan leaves out what recovery never reads (the preconditions' list of
 * generations and the boot files' digest), and the bytes of the big files the plan writes are not
 * in it either: they are staged beside their destinations before the journal appears, and
 * `plan.json`'s `staged` names each with its size and digest (see `Staged`). It appears and
 * disappears by renaming a whole directory, so it is either complete or absent; a crash anywhere
 * leaves enough for `recover` to finish the transition or revert it.
 */
import { Plan, Recovery, World } from "@switchyard/model";
import { Effect } from "effect";
import * as t from "io-ts";
import * as Durable from "../durable/Durable.js";
import { JournalUnreadable } from "../Errors.js";
import * as Failpoint from "../durable/Failpoint.js";
import * as Decode from "../internal/Decode.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as Staged from "./Staged.js";
import * as Absent from "../ports/Absent.js";
import { directory } from "./JournalPaths.js";

export type Progress = Recovery.Progress;
export interface Entry extends Recovery.Journal {
  readonly staged: ReadonlyArray<Staged.Ref>;
  /** Steps (`f3`, `r0`) whose staged bytes are gone and whose destination does not hold them. */
  readonly missing: ReadonlyArray<string>;
}

export { directory, isLeftover } from "./JournalPaths.js";
const stateDirectory = (root: Root.Root): string => Root.host(root, World.Paths.stateDir);
const encoder = new TextEncoder();
const json = (value: unknown): Uint8Array => encoder.encode(`${JSON.stringify(value)}\n`);

/** `plan.json`: the plan, with `staged` naming where the bytes of the files it writes are. */
const JournalPlan = t.intersection([Plan.Plan, t.partial({ staged: Staged.Refs })], "JournalPlan");


/** Write the journal for `plan` before its first step; the files it writes are staged first. */
export const begin = Effect.fn("journalBegin")(function* (root: Root.Root, plan: Plan.Plan, token: string) {
  const fs = yield* FileSystem;
  const state = stateDirectory(root);
  const staging = `${state}/.journal-new-${token}`;
  yield* Durable.removeTree(staging).pipe(Effect.ignore);
  const staged = yield* Staged.write(root, plan);
  // A journal that could not be written completely leaves nothing behind: nothing was done yet.
  let renamed = false;
  yield* Effect.gen(function* () {
    // Recovery reads the steps, never the preconditions: the list of every generation and the boot
    // files' digest are left out, and not made (named one by one: a spread would read both getters).
    const p = plan.preconditions;
    const preconditions: Plan.Plan["preconditions"] = {
      profileTarget: p.profileTarget,
      generations: [],
      currentSystem: p.currentSystem,
      bootConfigDigest: null,
      pins: p.pins,
      services: p.services,
    };
    const kept = { ...plan, preconditions };
    const copy = Plan.encode(Staged.withoutContents(kept, staged)) as Record<string, unknown>;
    yield* Durable.stageDirectory(staging, [{ name: "plan.json", content: json({ ...copy, staged }) }]);
    yield* Failpoint.hit("journal:staged");
    yield* fs.rename(staging, directory(root));
    renamed = true;
    yield* fs.fsyncDirectory(state);
  }).pipe(
    Effect.tapError(() =>
      Durable.removeTree(renamed ? directory(root) : staging).pipe(Effect.zipRight(Staged.discard(root, staged)), Effect.ignore),
    ),
  );
  yield* Failpoint.hit("journal:begun");
  return staged;
});

/** Record that step `done` of `phase` completed. */
export const record = (root: Root.Root, progress: Progress) =>
  Durable.writeFile(`${directory(root)}/progress.json`, json(progress)).pipe(Effect.withSpan("journalRecord"));

/**
 * Remove the journal: first the staged files the run did not use (while the journal still says
 * they are there to clean up), then one rename makes the journal gone, then its files go.
 */
export const finish = Effect.fn("journalFinish")(function* (root: Root.Root, token: string, staged: ReadonlyArray<Staged.Ref> = []) {
  const fs = yield* FileSystem;
  const state = stateDirectory(root);
  const done = `${state}/.journal-done-${token}`;
  yield* Staged.discard(root, staged);
  // A leftover of an earlier run with the same token would make the rename fail.
  yield* Durable.removeTree(done).pipe(Effect.ignore);
  yield* fs.rename(directory(root), done);
  yield* fs.fsyncDirectory(state);
  yield* Failpoint.hit("journal:finished");
  // Gone once renamed: what a crash brings back of its files is a leftover recovery removes.
  yield* Durable.discardTree(done);
});

/**
 * The journal, or null when there is none. A journal that cannot be decoded, whose progress does
 * not fit its plan, or that is not a plain directory (a symlink could point anywhere) is never
 * guessed at: it is refused and left untouched.
 */
export const read = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const dir = directory(root);
    const unreadable = (what: string) =>
      new JournalUnreadable({ message: `the journal ${dir} cannot be decoded (${what}); it was left untouched: inspect it, then repair the machine by hand and remove it` });
    const stat = yield* fs.lstat(dir).pipe(
      Absent.orNull,
      Effect.mapError((e) => unreadable(e.message)),
    );
    if (stat === null) return null;
    if (stat.kind !== "directory") return yield* unreadable(`it is a ${stat.kind}, not a directory`);
    const load = <A, O>(name: string, codec: t.Type<A, O, unknown>) =>
      fs.readFile(`${dir}/${name}`).pipe(
        Effect.mapError((e) => unreadable(`${name}: ${e.message}`)),
        Effect.flatMap((bytes) => Decode.bytes(codec, bytes, name, (f) => unreadable(Decode.describe(f)))),
      );
    const { staged: refs = [], ...plan } = yield* load("plan.json", JournalPlan);
    const progress = yield* fs.lstat(`${dir}/progress.json`).pipe(
      Effect.matchEffect({
        onFailure: (e) => (e.reason === "NotFound" ? Effect.succeed(Recovery.start) : Effect.fail(unreadable(`progress.json: ${e.message}`))),
        onSuccess: () => load("progress.json", Recovery.Progress),
      }),
    );
    const checked = yield* Decode.either(Recovery.check(plan, progress), unreadable);
    const restored = yield* Staged.restore(root, plan, refs);
    return { plan: restored.plan, progress: checked, staged: refs, missing: restored.missing } satisfies Entry;
  });

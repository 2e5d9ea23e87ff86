/**
 * Whether an earlier apply was interrupted, as a command that does not take the lock (plan, list,
 * status) can tell. A running apply holds the lock for as long as its journal exists, so a journal
 * with no live holder looks interrupted, but an apply may finish (journal, then lock, gone) or
 * start between the two reads. So the journal is read again after the holder: only the same
 * journal on both sides of a moment without a live holder is an interruption. Commands that take
 * the lock (apply, add, recover) decide under it instead, where the answer is certain.
 */
import { Effect } from "effect";
import * as ApplyJournal from "./ApplyJournal.js";
import * as Lock from "./Lock.js";
import type * as Root from "../root/Root.js";

export type Status = "none" | "running" | "interrupted";

/** The journal as it reads now, as a string to compare; null when there is none. */
const seen = (root: Root.Root) =>
  ApplyJournal.read(root).pipe(
    Effect.map((entry) => (entry === null ? null : JSON.stringify(entry))),
    Effect.catchTag("JournalUnreadable", (e) => Effect.succeed(`unreadable: ${e.message}`)),
  );

export const status = (root: Root.Root) =>
  Effect.gen(function* () {
    const first = yield* seen(root);
    if (first === null) return "none" satisfies Status;
    if ((yield* Lock.liveHolder(root)) !== null) return "running" satisfies Status;
    const second = yield* seen(root);
    if (second === null) return "none" satisfies Status;
    return second === first ? ("interrupted" satisfies Status) : ("running" satisfies Status);
  });

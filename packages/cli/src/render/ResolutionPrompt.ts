/**
 * The question `apply` asks on a terminal for an error item nobody settled yet: which of its
 * resolutions to record. As the confirmation prompt (`Prompt`): asked on standard error, answered
 * on standard input; Ctrl-C and Ctrl-D cancel; an empty answer leaves the item unsettled.
 */
import type { Effect } from "effect";
import * as Prompt from "./Prompt.js";

/** The index (from 0) of the resolution picked, null for none, or "cancelled". */
export type Pick = number | null | "cancelled";

export const ask = (question: string, count: number): Effect.Effect<Pick> =>
  Prompt.question<number | null>(question, (text) => {
    if (text === "") return null;
    const n = /^[0-9]+$/.test(text) ? Number(text) : 0;
    if (n >= 1 && n <= count) return n - 1;
    process.stderr.write(`answer a number from 1 to ${count}, or nothing to leave it\n`);
    return undefined;
  });

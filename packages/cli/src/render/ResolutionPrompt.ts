/**
 * The question `apply` asks on a terminal for an error item nobody settled yet: which of its
 * resolutions to record. As the confirmation prompt (`Prompt`): asked on standard error, answered
 * on standard input; Ctrl-C and Ctrl-D cancel; an empty answer leaves the item unsettled.
 */
import type * as Readline from "node:readline";
import { Effect } from "effect";

/** The index (from 0) of the resolution picked, null for none, or "cancelled". */
export type Pick = number | null | "cancelled";

export const ask = (question: string, count: number): Effect.Effect<Pick> =>
  Effect.async<Pick>((resume) => {
    const readline: typeof Readline = process.getBuiltinModule("node:readline");
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    const finish = (pick: Pick) => {
      if (answered) return;
      answered = true;
      if (pick === "cancelled") process.stderr.write("\n");
      rl.close();
      resume(Effect.succeed(pick));
    };
    rl.on("SIGINT", () => finish("cancelled"));
    rl.on("close", () => finish("cancelled"));
    const again = () =>
      rl.question(question, (text) => {
        const t = text.trim();
        if (t === "") return finish(null);
        const n = /^[0-9]+$/.test(t) ? Number(t) : 0;
        if (n >= 1 && n <= count) return finish(n - 1);
        process.stderr.write(`answer a number from 1 to ${count}, or nothing to leave it\n`);
        again();
      });
    again();
    return Effect.sync(() => {
      answered = true;
      rl.close();
    });
  });

/**
 * The confirmation prompt of `apply`. It is only asked on a terminal (standard input and error
 * both): anywhere else there is nobody to answer, and applying unattended needs `--yes`. Ctrl-C
 * and Ctrl-D (or the end of input) cancel, as a shell user expects, instead of failing.
 */
import type * as Readline from "node:readline";
import { Effect } from "effect";

export type Answer = "yes" | "no" | "cancelled";

/** Whether someone can answer: the question goes to standard error, the answer comes from standard input. */
export const interactive = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true;

export const ask = (question: string): Effect.Effect<Answer> =>
  Effect.async<Answer>((resume) => {
    // Loaded here: only a prompt needs it.
    const readline: typeof Readline = process.getBuiltinModule("node:readline");
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    const finish = (answer: Answer) => {
      if (answered) return;
      answered = true;
      if (answer === "cancelled") process.stderr.write("\n");
      rl.close();
      resume(Effect.succeed(answer));
    };
    // With a SIGINT listener readline hands Ctrl-C to us instead of closing; Ctrl-D closes it.
    rl.on("SIGINT", () => finish("cancelled"));
    rl.on("close", () => finish("cancelled"));
    rl.question(question, (text) => finish(/^y(es)?$/i.test(text.trim()) ? "yes" : "no"));
    return Effect.sync(() => {
      answered = true;
      rl.close();
    });
  });

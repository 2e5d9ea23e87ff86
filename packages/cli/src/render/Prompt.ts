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

/**
 * Ask `question` until `decide` accepts the answer (`undefined`: ask again; it says why itself).
 * Ctrl-C and Ctrl-D (or the end of input) give "cancelled".
 */
export const question = <A>(question: string, decide: (text: string) => A | undefined): Effect.Effect<A | "cancelled"> =>
  Effect.async<A | "cancelled">((resume) => {
    // Loaded here: only a prompt needs it.
    const readline: typeof Readline = process.getBuiltinModule("node:readline");
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    const finish = (answer: A | "cancelled") => {
      if (answered) return;
      answered = true;
      if (answer === "cancelled") process.stderr.write("\n");
      rl.close();
      resume(Effect.succeed(answer));
    };
    // With a SIGINT listener readline hands Ctrl-C to us instead of closing; Ctrl-D closes it.
    rl.on("SIGINT", () => finish("cancelled"));
    rl.on("close", () => finish("cancelled"));
    const again = () =>
      rl.question(question, (text) => {
        const decided = decide(text.trim());
        if (decided === undefined) again();
        else finish(decided);
      });
    again();
    return Effect.sync(() => {
      answered = true;
      rl.close();
    });
  });

export const ask = (q: string): Effect.Effect<Answer> => question<Answer>(q, (text) => (/^y(es)?$/i.test(text) ? "yes" : "no"));

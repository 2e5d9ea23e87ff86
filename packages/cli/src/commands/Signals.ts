/**
 * SIGINT, SIGTERM and SIGHUP while `apply` runs. Dying between two steps would leave the machine
 * half-switched with a journal for `recover`, so instead the first signal is remembered and the
 * apply, which asks before every step, stops at the next step boundary: before the commit point it
 * reverts, after it it finishes. Until the apply starts (at the prompt) a signal ends the command
 * at once, with nothing done. The handlers exist only while the command runs.
 */
import type { StopSignal } from "@switchyard/interpreter";
import { Effect } from "effect";

const SIGNALS: ReadonlyArray<StopSignal> = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface Signals {
  /**
   * The first signal received, or null. It first lets the event loop turn once (setImmediate runs
   * after pending signals are dispatched), so a signal that arrived during a run of steps that never
   * waited for anything is seen.
   */
  readonly received: Effect.Effect<StopSignal | null>;
  /** Succeeds with the first signal, as soon as there is one. */
  readonly next: Effect.Effect<StopSignal>;
}

/** Run `body` with the handlers installed; they are removed however it ends. */
export const handled = <A, E, R>(body: (signals: Signals) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(Effect.sync(install), (s) => body(s.signals), (s) => Effect.sync(s.uninstall));

const install = () => {
  let first: StopSignal | null = null;
  const waiting = new Set<(s: StopSignal) => void>();
  const on = (signal: StopSignal) => () => {
    const again = first !== null;
    first ??= signal;
    // Someone waiting (the prompt) reports it itself; otherwise a step may still run for a while.
    if (waiting.size === 0 && !again) {
      process.stderr.write(`switchyard: ${signal} received; stopping at the next step boundary (past the commit point the apply finishes instead)\n`);
    }
    for (const wake of waiting) wake(first);
    waiting.clear();
  };
  const handlers = SIGNALS.map((signal) => [signal, on(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const signals: Signals = {
    received: Effect.zipRight(
      Effect.async<void>((resume) => {
        const turn = setImmediate(() => resume(Effect.void));
        return Effect.sync(() => clearImmediate(turn));
      }),
      Effect.sync(() => first),
    ),
    next: Effect.async<StopSignal>((resume) => {
      if (first !== null) return resume(Effect.succeed(first));
      const wake = (s: StopSignal) => resume(Effect.succeed(s));
      waiting.add(wake);
      return Effect.sync(() => waiting.delete(wake));
    }),
  };
  return { signals, uninstall: () => handlers.forEach(([signal, handler]) => process.off(signal, handler)) };
};

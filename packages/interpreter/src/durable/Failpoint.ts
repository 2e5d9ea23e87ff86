/**
 * Failpoints for crash tests of the real binary: with `SWITCHYARD_FAILPOINT=N` in the environment
 * the process kills itself (SIGKILL, no cleanup) at the N-th failpoint it passes; with
 * `SWITCHYARD_FAILPOINT=count` it prints each failpoint's label to standard error instead, so a
 * test can tell how many crash points an apply has. Unset, a failpoint costs one comparison.
 */
import { Effect } from "effect";

const setting = process.env.SWITCHYARD_FAILPOINT;
const target = setting !== undefined && /^[0-9]+$/.test(setting) ? Number(setting) : null;
const counting = setting === "count";
let passed = 0;

/** A failpoint passed where no Effect runs (inside one call of a port, between two of its paths). */
export const hitNow = (label: string): void => {
  if (target === null && !counting) return;
  passed++;
  if (counting) process.stderr.write(`failpoint ${passed} ${label}\n`);
  else if (passed === target) process.kill(process.pid, "SIGKILL");
};

export const hit = (label: string): Effect.Effect<void> => (target === null && !counting ? Effect.void : Effect.sync(() => hitNow(label)));

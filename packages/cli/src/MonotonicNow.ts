/**
 * `performance.now()` for the bundles (esbuild injects it for the global): Node's global
 * `performance` loads `perf_hooks` on first touch, about 3 ms of every start-up, and effect touches
 * it while its modules initialise. Only `now()` is used (intervals, and effect's clock origin), so
 * milliseconds since this module was loaded, from the same monotonic clock, serve.
 */
const origin = process.hrtime.bigint();

export const performance: { readonly now: () => number } = { now: () => Number(process.hrtime.bigint() - origin) / 1e6 };

/**
 * The host programs snapshots are made with (tar, zstd, gzip, age), run through the process port:
 * each in its own process group with a timeout, so a person can open every archive with the same
 * programs. A program that fails is one line naming it, with its last output line.
 */
import { Effect } from "effect";
import { ProcessRunner } from "../ports/ProcessRunner.js";
import { SnapshotError } from "./SnapshotError.js";

/** How long one archiving program may run: a large data directory takes a while. */
export const TIMEOUT_MS = 3_600_000;

export interface Ran {
  readonly ok: boolean;
  readonly lastLines: ReadonlyArray<string>;
}

/** Run `argv` to its end; a program that cannot start is a Tool failure, a non-zero exit is `ok: false`. */
export const run = (id: string, argv: ReadonlyArray<string>, cwd: string, env: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function* () {
    const runner = yield* ProcessRunner;
    const result = yield* runner
      .run({ argv, env: { LC_ALL: "C", ...env }, cwd, timeoutMs: TIMEOUT_MS })
      .pipe(Effect.mapError((e) => new SnapshotError({ reason: "Tool", id, message: `snapshot ${id}: cannot run ${argv[0]}: ${e.message}` })));
    return { ok: result.exitCode === 0 && !result.timedOut, lastLines: result.lastLines } satisfies Ran;
  });

/** Run `argv` and fail with a Tool error unless it succeeds. */
export const must = (id: string, argv: ReadonlyArray<string>, cwd: string, what: string) =>
  Effect.flatMap(run(id, argv, cwd), (r) =>
    r.ok ? Effect.void : Effect.fail(new SnapshotError({ reason: "Tool", id, message: `snapshot ${id}: ${what} failed (${argv[0]}): ${lastLine(r)}` })),
  );

/** The line that says what went wrong: the last one naming an error (age follows it with a link), else the last. */
export const lastLine = (r: Ran): string =>
  [...r.lastLines].reverse().find((l) => /error:/i.test(l)) ?? r.lastLines[r.lastLines.length - 1] ?? "no output";

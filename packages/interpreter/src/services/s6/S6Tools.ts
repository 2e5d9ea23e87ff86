/**
 * The s6 programs switchyard drives, run through the process port: probing and rescanning the scan
 * directory (`s6-svscanctl`), asking whether a service is supervised (`s6-svok`), reading its state
 * (`s6-svstat`) and commanding it with a wait and a timeout (`s6-svc -w… -T`). Each call is one
 * program run without a shell; nothing here decides what a step means.
 */
import { S6Service } from "@switchyard/model";
import { Duration, Effect } from "effect";
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { ProcessRunner, type RunResult } from "../../ports/ProcessRunner.js";
import { ServiceError } from "../../ports/ServiceManager.js";

/** Slack on top of an s6 program's own timeout before the runner kills it. */
const SLACK_MS = 2000;
const QUICK_MS = 5000;
const POLL_MS = 10;

const exec = (service: string, argv: ReadonlyArray<string>, timeoutMs: number) =>
  Effect.flatMap(ProcessRunner, (runner) =>
    runner.run({ argv, env: {}, cwd: "/", timeoutMs }).pipe(
      Effect.mapError((e) => new ServiceError({ reason: "Unavailable", service, message: `cannot run ${argv[0]}: ${e.message}; is s6 installed?`, lastLines: [] })),
    ),
  );

const succeeded = (r: RunResult): boolean => r.exitCode === 0 && !r.timedOut;

/** Whether an s6-svscan listens on the scan directory (s6-svscanctl with no command sends nothing). */
export const listening = (scan: string) => Effect.map(exec("", ["s6-svscanctl", scan], QUICK_MS), succeeded);

/** Make s6-svscan scan again (`-a`), and with `prune` also drop supervisors of removed services (`-n`). */
export const rescan = (service: string, scan: string, prune = false) =>
  Effect.flatMap(exec(service, ["s6-svscanctl", prune ? "-an" : "-a", scan], QUICK_MS), (r) =>
    succeeded(r)
      ? Effect.void
      : Effect.fail(new ServiceError({ reason: "Unavailable", service, message: `s6-svscanctl could not reach the supervisor on ${scan}`, lastLines: r.lastLines })),
  );

/** Whether an s6-supervise process runs for the service directory. */
export const supervised = (dir: string) => Effect.map(exec("", ["s6-svok", dir], QUICK_MS), succeeded);

/** Poll `check` until it holds or `timeoutMs` passes; says which. */
export const waitUntil = <E, R>(check: Effect.Effect<boolean, E, R>, timeoutMs: number) =>
  Effect.gen(function* () {
    const rounds = Math.max(1, Math.ceil(timeoutMs / POLL_MS));
    for (let i = 0; i < rounds; i++) {
      if (yield* check) return true;
      yield* Effect.sleep(Duration.millis(POLL_MS));
    }
    return yield* check;
  });

/** The service's state, or null when no supervisor answers for it. */
export const status = (service: string, dir: string) =>
  Effect.map(exec(service, ["s6-svstat", "-o", S6Service.STATUS_FIELDS, dir], QUICK_MS), (r) => {
    const line = r.lastLines[0];
    if (!succeeded(r) || line === undefined) return null;
    return pipe(S6Service.parseStatus(line), E.getOrElseW(() => null));
  });

/** `s6-svc FLAGS -T ms DIR`: true when the wait (if any) was satisfied in time. */
export const command = (service: string, flags: ReadonlyArray<string>, dir: string, timeoutMs: number) =>
  Effect.map(exec(service, ["s6-svc", ...flags, "-T", String(timeoutMs), dir], timeoutMs + SLACK_MS), succeeded);

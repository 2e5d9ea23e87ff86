/**
 * The watcher of a provisional switch: this same binary, started detached in a session of its own
 * (`switchyard confirm-watch --root R --token T`, internal and not in the help), so it outlives the
 * applying process and its terminal. It waits for the deadline, reading the pending confirmation
 * now and then; once the confirmation is gone or another one replaced it, it exits; at the deadline
 * it applies the recorded way back under the lock (`Settle`), with the settings that plan records.
 */
import * as path from "node:path";
import { Step } from "@switchyard/model";
import { Clock, Confirmation, Root, Settle } from "@switchyard/interpreter";
import { Duration, Effect, Exit } from "effect";
import * as Context from "../Context.js";

export const COMMAND = "confirm-watch";
/** How often the record is read again while waiting: a `confirm` stops the watcher within this. */
const POLL_MS = 250;
/** How long the revert waits for the lock (a `confirm` or `recover` holding it briefly). */
const LOCK_WAIT_SECONDS = 600;

/** How the applying process (or `recover`) starts the watcher of the confirmation `token`. */
export const request = (root: Root.Root, token: string) => ({
  argv: [process.execPath, path.resolve(process.argv[1] ?? "switchyard"), COMMAND, "--root", root.prefix === "" ? "/" : root.prefix, "--token", token],
  cwd: "/",
  logFile: Confirmation.logPath(root),
});

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

const argOf = (argv: ReadonlyArray<string>, name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};

/** Wait until the deadline; null when there is nothing left to wait for. */
const waitForDeadline = (root: Root.Root, token: string) =>
  Effect.gen(function* () {
    const clock = yield* Clock;
    for (;;) {
      const pending = yield* Confirmation.read(root).pipe(Effect.orElseSucceed(() => null));
      if (pending === null || pending.token !== token) return null;
      const left = pending.deadlineMs - (yield* clock.nowMs);
      if (left <= 0) return pending;
      yield* Effect.sleep(Duration.millis(Math.min(POLL_MS, left)));
    }
  });

const watchFor = (root: Root.Root, token: string) =>
  Effect.gen(function* () {
    log(`watching the confirmation ${token}`);
    const pending = yield* waitForDeadline(root, token);
    if (pending === null) return log("confirmed (or replaced): nothing to revert");
    log(`not confirmed by the deadline: reverting generation ${pending.to} to generation ${pending.from ?? "(none)"}`);
    const plan = pending.revert;
    const clock = yield* Clock;
    const outcome = yield* Settle.settle({
      root,
      settings: plan.settings,
      command: "confirm-watch (revert)",
      waitLockSeconds: LOCK_WAIT_SECONDS,
      nowMs: clock.nowMs,
      watcher: null,
      token,
      early: true,
      onEvent: (e) => (e._tag === "StepStarted" ? log(`  ${e.index + 1}. ${Step.describe(e.step)}`) : e._tag === "Output" ? log(`    ${e.line}`) : undefined),
    }).pipe((settle) => Context.withServices(root, plan.settings.serviceManager, plan.settings, settle));
    log(outcome._tag === "Reverted" ? `reverted: generation ${pending.from ?? "(none)"} is back` : "confirmed meanwhile: nothing was reverted");
  });

/** The internal command's entry point: its exit code. */
export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const rootPath = argOf(argv, "--root");
  const token = argOf(argv, "--token");
  if (rootPath === undefined || token === undefined) {
    process.stderr.write(`switchyard ${COMMAND}: internal command; it takes --root DIR --token T\n`);
    return 2;
  }
  const root = Root.make(path.resolve(rootPath));
  const exit = await Effect.runPromiseExit(Context.withBasePorts(root, watchFor(root, token)));
  if (Exit.isSuccess(exit)) return 0;
  log(`the revert failed: ${String(exit.cause)}; run 'switchyard recover'`);
  return 1;
};

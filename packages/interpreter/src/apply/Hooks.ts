/**
 * Runs a generation's hooks (`model/transition/Hooks`) through the process port: in the system
 * directory they come from, in their own process group, with the activation timeout. A post-switch
 * or health hook is a step (its failure reverts the switch); the pre-switch hook is asked before
 * anything changes, at `plan` and again under the lock, and a "no" is a `Vetoed` refusal.
 */
import { Hooks, type Plan, type Step, type World } from "@switchyard/model";
import { Effect } from "effect";
import { Vetoed } from "../Errors.js";
import { ProcessError, ProcessRunner, type RunResult } from "../ports/ProcessRunner.js";
import * as Root from "../root/Root.js";

export interface HookOptions {
  readonly root: Root.Root;
  readonly settings: Pick<World.Settings, "activationTimeoutMs">;
  readonly onLine?: (line: string) => void;
}

/** Why a hook run failed: the process port's error, one line and the hook's last output. */
export interface HookFailure {
  readonly cause: ProcessError;
  readonly how: string;
  readonly message: string;
  readonly lastLines: ReadonlyArray<string>;
}

/** A relative program (`bin/check`) runs from the system directory; a bare name is looked up on PATH. */
const argvIn = (system: string, argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const [program, ...args] = argv;
  if (program === undefined) return argv;
  return [program.startsWith("/") || !program.includes("/") ? program : `${system}/${program}`, ...args];
};

const ending = (result: RunResult, timeoutMs: number): string | null => {
  if (result.timedOut) return `timed out after ${timeoutMs / 1000}s`;
  if (result.exitCode === 0) return null;
  return result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with status ${result.exitCode}`;
};

/** Run one hook to its end; `extra` adds to the environment the plan recorded (the stage it runs at). */
export const run = (invocation: Step.HookInvocation, options: HookOptions, extra: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function* () {
    const runner = yield* ProcessRunner;
    const system = Root.host(options.root, invocation.system);
    const argv = argvIn(system, invocation.argv);
    const label = Hooks.label(invocation);
    const result = yield* runner
      .run({
        argv,
        env: { ...invocation.env, ...extra, SWITCHYARD_ROOT: options.root.prefix === "" ? "/" : options.root.prefix },
        cwd: system,
        timeoutMs: options.settings.activationTimeoutMs,
        ...(options.onLine === undefined ? {} : { onLine: options.onLine }),
      })
      .pipe(Effect.mapError((e): HookFailure => ({ cause: e, how: `could not be started (${e.message})`, message: `${label} could not be started: ${e.message}`, lastLines: [] })));
    const how = ending(result, options.settings.activationTimeoutMs);
    if (how === null) return "done" as const;
    const reason = result.timedOut ? "TimedOut" : "Failed";
    const message = `${label} ${how}`;
    return yield* Effect.fail<HookFailure>({ cause: new ProcessError({ reason, argv, message }), how, message, lastLines: result.lastLines });
  });

/** Ask the plan's pre-switch hook; fails with `Vetoed` (nothing touched) unless it exits 0. */
export const preSwitch = (plan: Plan.Plan, options: HookOptions, stage: "plan" | "apply") =>
  Effect.gen(function* () {
    const invocation = plan.preSwitch ?? null;
    if (invocation === null) return;
    yield* run(invocation, options, { SWITCHYARD_STAGE: stage }).pipe(
      Effect.mapError((f) => {
        const lastLine = f.lastLines.at(-1) ?? null;
        const said = lastLine === null ? "" : `: ${lastLine}`;
        return new Vetoed({ hook: Hooks.label(invocation), how: f.how, lastLine, message: `${Hooks.label(invocation)} refused the switch: it ${f.how}${said}; nothing was changed` });
      }),
    );
  });

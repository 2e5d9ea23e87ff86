/** One exhaustive switch over a step's `_tag`: how each step is carried out through the ports. */
import type { Step } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import type { StepCause } from "../Errors.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import { ProcessError, ProcessRunner, type RunResult } from "../ports/ProcessRunner.js";
import { type ServiceError, ServiceManager, type ServiceOutcome } from "../ports/ServiceManager.js";
import * as Root from "../root/Root.js";

export type Event =
  | { readonly _tag: "StepStarted"; readonly index: number; readonly step: Step.Step }
  | { readonly _tag: "RevertStarted"; readonly index: number; readonly step: Step.Step }
  | { readonly _tag: "Output"; readonly line: string };

/** Why a step failed: the port's own tagged error, the line to report and the program's last output. */
export interface StepError {
  readonly cause: StepCause;
  readonly message: string;
  readonly lastLines: ReadonlyArray<string>;
}

export interface StepOptions {
  readonly root: Root.Root;
  readonly activationTimeoutMs: number;
  readonly onEvent?: (event: Event) => void;
}

const fsError = (e: FsError): StepError => ({ cause: e, message: e.message, lastLines: [] });
const encoder = new TextEncoder();

export const run = (step: Step.Step, options: StepOptions): Effect.Effect<ServiceOutcome | "done", StepError, FileSystem | ProcessRunner | ServiceManager> => {
  const host = (p: string) => Root.host(options.root, p);
  switch (step._tag) {
    case "ReplaceSymlink":
      return Durable.replaceSymlink(host(step.path), step.target).pipe(Effect.as("done" as const), Effect.mapError(fsError));
    case "CreateGenerationLink":
      return Durable.replaceSymlink(host(step.path), step.target, step.createdMs).pipe(Effect.as("done" as const), Effect.mapError(fsError));
    case "RemoveLink":
      return Durable.removeLink(host(step.path)).pipe(Effect.as("done" as const), Effect.mapError(fsError));
    case "RemoveFile":
      return Durable.removeLink(host(step.path)).pipe(Effect.as("done" as const), Effect.mapError(fsError));
    case "WriteFile":
      return Durable.writeFile(host(step.path), encoder.encode(step.content)).pipe(Effect.as("done" as const), Effect.mapError(fsError));
    case "RunActivation":
      return activate(step, options);
    case "StopService":
      return service((m) => m.stop(step.service));
    case "StartService":
      return service((m) => m.start(step.service));
    case "RestartService":
      return service((m) => m.restart(step.service));
    case "ReloadService":
      return service((m) => m.reload(step.service));
    case "Commit":
      return Effect.succeed("done" as const);
  }
};

/**
 * The directories whose removals are not flushed yet. A run of removals (deleting 1,000 generations
 * is 1,000 of them) flushes its directory once, before the next step of any other kind and at the
 * end of the phase: the removals of one run need no order among themselves, and everything else
 * keeps its order with them.
 */
export class Unflushed {
  readonly #dirs = new Set<string>();
  /** The step whose removal is the last one not flushed, to blame if the flush fails. */
  last = -1;
  get pending(): boolean {
    return this.#dirs.size > 0;
  }
  add(dir: string, index: number): void {
    this.#dirs.add(dir);
    this.last = index;
  }
  readonly flush = Effect.suspend(() => {
    const dirs = [...this.#dirs];
    this.#dirs.clear();
    return Effect.flatMap(FileSystem, (fs) => Effect.forEach(dirs, (d) => fs.fsyncDirectory(d), { discard: true })).pipe(Effect.mapError(fsError));
  });
}

/**
 * Run `step`, leaving a removal's directory to `unflushed` instead of flushing it at once, and
 * writing a file by renaming its `staged` copy into place when there is one.
 */
export const runDeferring = (step: Step.Step, index: number, options: StepOptions, unflushed: Unflushed, staged?: string) => {
  if (step._tag === "WriteFile" && staged !== undefined) {
    const path = Root.host(options.root, step.path);
    return Durable.moveInto(staged, path, encoder.encode(step.content)).pipe(Effect.as("done" as const), Effect.mapError(fsError));
  }
  if (step._tag !== "RemoveLink" && step._tag !== "RemoveFile") return run(step, options);
  const path = Root.host(options.root, step.path);
  return Durable.unlink(path).pipe(
    Effect.tap(() => unflushed.add(Root.dirnameOf(path), index)),
    Effect.as("done" as const),
    Effect.mapError(fsError),
  );
};

const service = (f: (m: ServiceManager["Type"]) => Effect.Effect<ServiceOutcome, ServiceError>) =>
  Effect.flatMap(ServiceManager, (m) => f(m).pipe(Effect.mapError((e): StepError => ({ cause: e, message: e.message, lastLines: e.lastLines }))));

/** How a program run that did not succeed ended, or null when it did. */
const ending = (result: RunResult, timeoutMs: number): { readonly reason: "TimedOut" | "Failed"; readonly how: string } | null => {
  if (result.timedOut) return { reason: "TimedOut", how: `timed out after ${timeoutMs / 1000}s` };
  if (result.exitCode === 0) return null;
  return { reason: "Failed", how: result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with status ${result.exitCode}` };
};

const activate = (step: Extract<Step.Step, { _tag: "RunActivation" }>, options: StepOptions) =>
  Effect.gen(function* () {
    const runner = yield* ProcessRunner;
    const fs = yield* FileSystem;
    const script = Root.host(options.root, step.script);
    yield* fs.lstat(script).pipe(Effect.mapError((e): StepError => ({ cause: e, message: `activation script ${script}: ${e.message}`, lastLines: [] })));
    const argv = [script];
    const result = yield* runner
      .run({
        argv,
        env: {
          SWITCHYARD_SYSTEM: step.system,
          SWITCHYARD_ACTION: step.action,
          SWITCHYARD_ROOT: options.root.prefix === "" ? "/" : options.root.prefix,
        },
        cwd: Root.host(options.root, step.system),
        timeoutMs: options.activationTimeoutMs,
        onLine: (line) => options.onEvent?.({ _tag: "Output", line }),
      })
      .pipe(Effect.mapError((e): StepError => ({ cause: e, message: e.message, lastLines: [] })));
    const failed = ending(result, options.activationTimeoutMs);
    if (failed !== null) {
      const message = failed.reason === "TimedOut" ? `activation of ${step.system} ${failed.how}` : `activation script of ${step.system} ${failed.how}`;
      return yield* Effect.fail<StepError>({ cause: new ProcessError({ reason: failed.reason, argv, message }), message, lastLines: result.lastLines });
    }
    return "done" as const;
  });

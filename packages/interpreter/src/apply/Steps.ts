/** One exhaustive switch over a step's `_tag`: how each step is carried out through the ports. */
import type { Step, World } from "@switchyard/model";
import { Effect } from "effect";
import * as BootWriter from "./BootWriter.js";
import * as StateSteps from "./StateSteps.js";
import * as Durable from "../durable/Durable.js";
import * as Hooks from "./Hooks.js";
import { LinkMoved, type StepCause } from "../Errors.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import { ProcessError, ProcessRunner, type RunResult } from "../ports/ProcessRunner.js";
import { type ServiceError, ServiceManager, type ServiceOutcome } from "../ports/ServiceManager.js";
import * as Root from "../root/Root.js";
import * as Begin from "../migrations/Begin.js";

export type Event =
  | { readonly _tag: "StepStarted"; readonly index: number; readonly step: Step.Step }
  | { readonly _tag: "RevertStarted"; readonly index: number; readonly step: Step.Step }
  /** After every step of either phase; the caller times it if it wants (the interpreter keeps no clock here). */
  | { readonly _tag: "StepFinished"; readonly phase: "forward" | "revert"; readonly index: number; readonly step: Step.Step; readonly ok: boolean }
  | { readonly _tag: "Output"; readonly line: string }
  /**
   * Around steps run back to back in one call of a port (a run of removals): nothing else happens
   * between them, so a reporter writing to a log may hold their lines until the run ends.
   */
  | { readonly _tag: "Burst"; readonly edge: "start" | "end" };

/** Why a step failed: the port's own tagged error, the line to report and the program's last output. */
export interface StepError {
  readonly cause: StepCause;
  readonly message: string;
  readonly lastLines: ReadonlyArray<string>;
}

export interface StepOptions {
  readonly root: Root.Root;
  /** The plan's settings: how long an activation may run, among others. */
  readonly settings: Pick<World.Settings, "activationTimeoutMs">;
  readonly onEvent?: (event: Event) => void;
  /** Host path of the age identity that opens encrypted snapshots; else `snapshots.identity`. */
  readonly identity?: string | null;
}

/** What a step came to: done, or only recorded (no service manager to carry it out). */
export type Outcome = ServiceOutcome | "done" | "state-recorded";

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
    case "CopyFile":
      return BootWriter.install(host(step.source), host(step.path)).pipe(Effect.as("done" as const), Effect.mapError(fsError));
    case "RenameFile":
      return BootWriter.rename(host(step.from), host(step.path)).pipe(Effect.as("done" as const), Effect.mapError(fsError));
    case "RunActivation":
      return activate(step, options);
    case "RunHook":
      return Hooks.run(step, { ...options, onLine: (line) => options.onEvent?.({ _tag: "Output", line }) }).pipe(Effect.mapError((f): StepError => f));
    case "StopService":
      return service((m) => m.stop(step.service));
    case "StartService":
      return service((m) => m.start(step.service));
    case "RestartService":
      return service((m) => m.restart(step.service));
    case "ReloadService":
      return service((m) => m.reload(step.service));
    case "CheckLink":
      return checkLink(step, host(step.path));
    case "Commit":
      return Effect.succeed("done" as const);
    case "BeginMigrations":
      return Begin.run(step, options.root).pipe(Effect.as("done" as const), Effect.mapError((e): StepError => ({ cause: e, message: e.message, lastLines: [] })));
    case "DumpState":
    case "SaveSnapshot":
    case "RestorePaths":
    case "UndoRestorePaths":
    case "LoadState":
    case "SetDataEpoch":
    case "DropAside":
      return StateSteps.run(step, options);
  }
};

/** Reads the link as it is now; anything but exactly the expected target fails the step. */
const checkLink = (step: Extract<Step.Step, { _tag: "CheckLink" }>, path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const found = yield* fs.readLink(path).pipe(
      Effect.catchTag("FsError", (e) => (e.reason === "NotFound" ? Effect.succeed(null) : e.reason === "Invalid" ? Effect.succeed("(not a symlink)") : Effect.fail(fsError(e)))),
    );
    if (found === step.target) return "done" as const;
    const now = found === null ? "is gone" : `points to ${found}`;
    const expected = step.target === null ? "no link there" : `it to point to ${step.target}`;
    const message = `${path} ${now}, but the plan expects ${expected}: something changed it during the switch (an activation script?)`;
    return yield* Effect.fail<StepError>({ cause: new LinkMoved({ path: step.path, expected: step.target, found, message }), message, lastLines: [] });
  });

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

export type Removal = Extract<Step.Step, { readonly _tag: "RemoveLink" | "RemoveFile" }>;
export const isRemoval = (step: Step.Step): step is Removal => step._tag === "RemoveLink" || step._tag === "RemoveFile";

/**
 * Run the removals `steps[from]` to `steps[to - 1]` (all `isRemoval`) with one call of the port
 * (`FileSystem.removeEach`) instead of an Effect each, telling `each` as each one starts and ends so
 * that each is still a step of its own (its progress line, its crash point). One already gone is
 * done (the steps are idempotent). Their directories are left to `unflushed`. Returns the first
 * that failed, or null.
 */
export const runRemovals = (
  steps: ReadonlyArray<Step.Step>,
  from: number,
  to: number,
  options: StepOptions,
  unflushed: Unflushed,
  each: { readonly started: (index: number) => void; readonly finished: (index: number) => void },
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const paths = steps.slice(from, to).map((step) => Root.host(options.root, (step as Removal).path));
    let done = 0;
    while (done < paths.length) {
      const base = done;
      const run = yield* fs.removeEach(paths.slice(base), {
        before: (i) => each.started(from + base + i),
        after: (i) => {
          unflushed.add(Root.dirnameOf(paths[base + i] as string), from + base + i);
          each.finished(from + base + i);
        },
      });
      done += run.removed;
      if (run.failure === null) return null;
      if (run.failure.reason !== "NotFound") return { index: from + done, error: fsError(run.failure) };
      unflushed.add(Root.dirnameOf(paths[done] as string), from + done);
      each.finished(from + done);
      done++;
    }
    return null;
  });

/** Run `step`, leaving a removal's directory to `unflushed` instead of flushing it at once. */
export const runDeferring = (step: Step.Step, index: number, options: StepOptions, unflushed: Unflushed) => {
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
    const argv = [script, ...(step.args ?? [])];
    const result = yield* runner
      .run({
        argv,
        env: {
          ...step.env,
          SWITCHYARD_SYSTEM: step.system,
          SWITCHYARD_ACTION: step.action,
          SWITCHYARD_ROOT: options.root.prefix === "" ? "/" : options.root.prefix,
        },
        cwd: Root.host(options.root, step.system),
        timeoutMs: options.settings.activationTimeoutMs,
        onLine: (line) => options.onEvent?.({ _tag: "Output", line }),
      })
      .pipe(Effect.mapError((e): StepError => ({ cause: e, message: e.message, lastLines: [] })));
    const failed = ending(result, options.settings.activationTimeoutMs);
    if (failed !== null) {
      const message = failed.reason === "TimedOut" ? `activation of ${step.system} ${failed.how}` : `activation script of ${step.system} ${failed.how}`;
      return yield* Effect.fail<StepError>({ cause: new ProcessError({ reason: failed.reason, argv, message }), message, lastLines: result.lastLines });
    }
    return "done" as const;
  });

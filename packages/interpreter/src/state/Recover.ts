/**
 * `recover`: finish or revert an apply that was interrupted (crash, kill, power loss, a failure
 * after its commit point). If the journal shows the Commit step completed, the remaining steps are
 * run — every step is idempotent, so the one that was under way is simply run again; otherwise the
 * plan's revert steps are run. Then the journal and any temp files a crash left are removed.
 */
import { Plan, type Step, World } from "@switchyard/model";
import { Effect } from "effect";
import * as ApplyJournal from "./ApplyJournal.js";
import * as Apply from "../apply/Apply.js";
import * as Durable from "../durable/Durable.js";
import { ApplyFailed } from "../Errors.js";
import * as Lock from "./Lock.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export interface RecoverReport {
  readonly action: "nothing" | "finished" | "reverted";
  readonly reason: string;
  readonly operation: Plan.Operation | null;
  /** The interrupted apply's own `from` and `to`, however it ended (`action` says which one the machine is on). */
  readonly from: number | null;
  readonly to: number | null;
  /** Temp files and journal leftovers removed. */
  readonly cleaned: ReadonlyArray<string>;
}

export const recover = Effect.fn("recover")(function* (options: Apply.ApplyOptions) {
  return yield* Lock.withLock(options.root, options.command, options.waitLockSeconds ?? 0, (holder) => recoverLocked(options, holder.token));
});

const recoverLocked = (options: Apply.ApplyOptions, token: string) =>
  Effect.gen(function* () {
    const entry = yield* ApplyJournal.read(options.root);
    if (entry === null) {
      const cleaned = yield* cleanLeftovers(options.root, options.settings, []);
      return { action: "nothing", reason: "no interrupted apply", operation: null, from: null, to: null, cleaned } satisfies RecoverReport;
    }
    const { plan, progress } = entry;
    const commitAt = Plan.commitIndex(plan);
    const committed = progress.phase === "forward" && progress.done >= commitAt;
    const result = committed
      ? yield* Apply.runSteps(plan.steps, "forward", progress.done + 1, options)
      : yield* ApplyJournal.record(options.root, { phase: "revert", done: -1 }).pipe(
          Effect.zipRight(Apply.runSteps(plan.revert, "revert", progress.phase === "revert" ? progress.done + 1 : 0, options)),
        );
    if (result.failure !== null) {
      return yield* new ApplyFailed({
        failure: result.failure,
        committed,
        reverted: false,
        revertFailure: committed ? null : result.failure,
        message: `recover could not ${committed ? "finish" : "revert"} the interrupted apply: ${result.failure.step} failed: ${result.failure.message}; fix the cause and run 'switchyard recover' again`,
      });
    }
    yield* ApplyJournal.finish(options.root, token);
    const cleaned = yield* cleanLeftovers(options.root, options.settings, [...plan.steps, ...plan.revert]);
    const reason = committed
      ? `the interrupted apply had passed its commit point (step ${commitAt + 1} of ${plan.steps.length}), so it was finished`
      : progress.phase === "revert"
        ? "the interrupted apply was already reverting, so the revert was completed"
        : "the interrupted apply had not reached its commit point, so it was reverted";
    return {
      action: committed ? "finished" : "reverted",
      reason,
      operation: plan.operation,
      from: plan.from,
      to: plan.to,
      cleaned,
    } satisfies RecoverReport;
  });

/** Remove temp siblings left by interrupted atomic writes, and journal leftovers; never anything else. */
export const cleanLeftovers = (root: Root.Root, settings: World.Settings, steps: ReadonlyArray<Step.Step>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const dirs = new Set<string>([World.profileDir(settings), "/run", "/boot/grub", World.Paths.stateDir]);
    for (const s of steps) if ("path" in s) dirs.add(Root.dirnameOf(s.path));
    const cleaned: Array<string> = [];
    for (const dir of dirs) {
      const host = Root.host(root, dir);
      const names = yield* fs.readDirectory(host).pipe(Effect.catchAll(() => Effect.succeed([] as ReadonlyArray<string>)));
      for (const name of names) {
        const path = `${host === "/" ? "" : host}/${name}`;
        if (Durable.isTempName(name)) {
          yield* fs.remove(path);
          cleaned.push(path);
        } else if (dir === World.Paths.stateDir && ApplyJournal.isLeftover(name)) {
          yield* ApplyJournal.removeTree(path);
          cleaned.push(path);
        }
      }
      if (cleaned.length > 0) yield* fs.fsyncDirectory(host).pipe(Effect.ignore);
    }
    return cleaned;
  });

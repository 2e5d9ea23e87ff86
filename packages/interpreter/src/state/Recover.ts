/**
 * `recover`: carry out what `Recovery.decide` says about an interrupted apply (crash, kill, power
 * loss, a failure after its commit point): finish it from the step after its commit record, or run
 * the plan's revert steps. Then the journal and any temp files a crash left are removed.
 */
import { type Plan, Recovery, type Step, World } from "@switchyard/model";
import { Effect } from "effect";
import * as ApplyJournal from "./ApplyJournal.js";
import * as Apply from "../apply/Apply.js";
import * as Durable from "../durable/Durable.js";
import { ApplyFailed, JournalUnreadable } from "../Errors.js";
import * as Lock from "./Lock.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import * as SnapshotLeftovers from "../snapshots/Forget.js";
import * as Staged from "./Staged.js";


export interface RecoverReport {
  readonly action: "nothing" | "finished" | "reverted";
  readonly reason: string;
  readonly operation: Plan.Operation | null;
  /** The interrupted apply's own `from` and `to`, however it ended (`action` says which one the machine is on). */
  readonly from: number | null;
  readonly to: number | null;
  /** Temp files and journal leftovers removed. */
  readonly cleaned: ReadonlyArray<string>;
  /** The migration graph under way, continued once the apply was dealt with; null when there is none. */
  readonly migrations: Apply.MigrationsReport | null;
}

export const recover = Effect.fn("recover")(function* (options: Apply.ApplyOptions) {
  return yield* Lock.withLock(options.root, options.command, options.waitLockSeconds ?? 0, (holder) => recoverLocked(options, holder.token));
});

const recoverLocked = (given: Apply.ApplyOptions, token: string) =>
  Effect.gen(function* () {
    const entry = yield* ApplyJournal.read(given.root);
    // The interrupted plan is the only input: its steps run with the settings it was planned with.
    const options: Apply.ApplyOptions = entry === null ? given : { ...given, settings: entry.plan.settings };
    const decision = Recovery.decide(entry);
    if (entry === null || decision._tag === "Nothing") {
      const cleaned = yield* cleanLeftovers(options.root, options.settings, []);
      const migrations = yield* Apply.migrations(options, token);
      return { action: "nothing", reason: decision.reason, operation: null, from: null, to: null, cleaned, migrations } satisfies RecoverReport;
    }
    const { plan } = entry;
    const finishing = decision._tag === "Finish";
    // A file the steps still to run would write must be there to write: staged, or in place already.
    const lost = entry.missing.find((key) => (key.startsWith("f") === finishing) && Number(key.slice(1)) >= decision.from);
    if (lost !== undefined) {
      const step = (finishing ? plan.steps : plan.revert)[Number(lost.slice(1))];
      return yield* new JournalUnreadable({
        message: `the journal ${ApplyJournal.directory(options.root)} needs the staged copy of ${step !== undefined && "path" in step ? Root.host(options.root, step.path) : lost}, which is gone; it was left untouched: repair the machine by hand and remove it`,
      });
    }
    const run = { ...options, staged: Staged.paths(options.root, entry.staged) };
    const result = finishing
      ? yield* Apply.runSteps(plan.steps, "forward", decision.from, run)
      : yield* ApplyJournal.record(options.root, { phase: "revert", done: decision.from - 1 }).pipe(
          Effect.zipRight(Apply.runSteps(plan.revert, "revert", decision.from, run)),
        );
    if (result.failure !== null) {
      return yield* new ApplyFailed({
        failure: result.failure,
        outcome: finishing ? { _tag: "CommittedIncomplete" } : { _tag: "RevertFailed", revertFailure: result.failure },
        message: `recover could not ${finishing ? "finish" : "revert"} the interrupted apply: ${result.failure.description} failed: ${result.failure.message}; fix the cause and run 'switchyard recover' again`,
      });
    }
    yield* ApplyJournal.finish(options.root, token, entry.staged);
    const cleaned = yield* cleanLeftovers(options.root, options.settings, [...plan.steps, ...plan.revert]);
    return {
      action: finishing ? "finished" : "reverted",
      reason: decision.reason,
      operation: plan.operation,
      from: plan.from,
      to: plan.to,
      cleaned,
      migrations: yield* Apply.migrations(options, token),
    } satisfies RecoverReport;
  });

/**
 * Remove temp siblings left by interrupted atomic writes, and journal leftovers; never anything
 * else, and never through a symlink: a planted link among the leftovers is removed as a link. A
 * temp name holding a directory (or anything else) is removed whole all the same, and reported.
 */
export const cleanLeftovers = (root: Root.Root, settings: World.Settings, steps: ReadonlyArray<Step.Step>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const dirs = new Set<string>([World.profileDir(settings), "/run", Root.dirnameOf(settings.bootConfig), World.Paths.stateDir]);
    for (const s of steps) if ("path" in s) dirs.add(Root.dirnameOf(s.path));
    const cleaned: Array<string> = [];
    for (const dir of dirs) {
      const host = Root.host(root, dir);
      const names = yield* fs.readDirectory(host).pipe(Effect.catchAll(() => Effect.succeed([] as ReadonlyArray<string>)));
      const before = cleaned.length;
      for (const name of names) {
        const path = `${host === "/" ? "" : host}/${name}`;
        if (Durable.isTempName(name) || (dir === World.Paths.stateDir && ApplyJournal.isLeftover(name))) {
          yield* Durable.removeTree(path);
          cleaned.push(path);
        }
      }
      if (cleaned.length > before) yield* fs.fsyncDirectory(host).pipe(Effect.ignore);
    }
    // A snapshot half written, a dump gathered or an archive opened when the apply stopped.
    cleaned.push(...(yield* SnapshotLeftovers.removeLeftovers(root)));
    return cleaned;
  });

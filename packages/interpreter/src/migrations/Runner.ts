/**
 * Runs a migration graph under way until nothing more can run: the runnable migrations (the
 * model's `Schedule.next`, from the record alone) each in a process of its own through the process
 * port, at most `jobs` at once. Every change of state is written to the record before the next
 * decision, so a crash anywhere leaves a record the next run resumes from: `running` entries run
 * again (migrations must be idempotent). A completed graph's record is removed.
 */
import { type InRootPath, type Item, MigrationRecord, MigrationSchedule, TargetEpochs, World } from "@switchyard/model";
import { Effect, Either, Queue } from "effect";
import * as Links from "../observe/Links.js";
import * as Observe from "../observe/Observe.js";
import * as StateFiles from "../observe/StateFiles.js";
import { Clock } from "../ports/Clock.js";
import type { StopSignal } from "../Errors.js";
import type { FsError } from "../ports/FileSystem.js";
import { ProcessRunner } from "../ports/ProcessRunner.js";
import type * as Root from "../root/Root.js";
import * as Failpoint from "../durable/Failpoint.js";
import * as GraphFile from "./GraphFile.js";
import * as Invocation from "./Invocation.js";
import * as Items from "./Items.js";
import type { MigrationsUnreadable } from "./MigrationErrors.js";
import * as Outcome from "./Outcome.js";

export type Event =
  | { readonly _tag: "MigrationStarted"; readonly id: string; readonly run: number }
  | { readonly _tag: "MigrationOutput"; readonly id: string; readonly line: string }
  | { readonly _tag: "MigrationFinished"; readonly id: string; readonly ok: boolean; readonly message: string | null };

export interface RunOptions {
  readonly root: Root.Root;
  /** At most this many migrations at once. */
  readonly jobs: number;
  readonly onEvent?: (event: Event) => void;
  /** Asked before migrations are started: after a stop signal none is, and those running finish. */
  readonly stop?: Effect.Effect<StopSignal | null>;
}

export interface Report {
  readonly record: MigrationRecord.GraphRecord;
  readonly outcome: MigrationSchedule.Outcome;
  /** The migrations this run started, in the order it started them. */
  readonly ran: ReadonlyArray<string>;
  /** The signal that stopped the run before the graph could go on, if one did. */
  readonly stoppedBy: StopSignal | null;
}

/** Whether the target runs: at once in modes switch and test; in boot and try once /run/current-system is it. */
export const booted = (root: Root.Root, record: MigrationRecord.GraphRecord) =>
  MigrationRecord.waitsForBoot(record)
    ? Effect.map(Links.read(root, World.Paths.currentSystem), (target) => target !== null && target === record.toSystem)
    : Effect.succeed(true);

/** Continue the graph under way, if there is one; null when there is none. */
export const continueGraph = Effect.fn("runMigrations")(function* (options: RunOptions) {
  const loaded = yield* GraphFile.read(options.root);
  if (loaded === null) return null;
  return yield* runGraph(options, loaded);
});

const runGraph = (options: RunOptions, loaded: GraphFile.Loaded) =>
  Effect.gen(function* () {
    const { root } = options;
    const clock = yield* Clock;
    const runner = yield* ProcessRunner;
    const graph = loaded.graph;
    let record = MigrationRecord.resumed(loaded.record);
    const isBooted = yield* booted(root, record);
    // The data epochs on record now, after the switch: what the migrations find on disk.
    const manifest = record.toSystem === null ? null : yield* Observe.readManifest(root, record.toSystem as InRootPath.InRootPath);
    const services = manifest?._tag === "Valid" ? manifest.manifest.services : [];
    const epochs = TargetEpochs.json(TargetEpochs.fromServices(services, services.some((s) => s.state !== null) ? (yield* StateFiles.readEpochs(root)).services : []));
    const gate = (): MigrationSchedule.Gate => ({ booted: isBooted, paused: record.paused !== null, jobs: options.jobs });
    const lock = yield* Effect.makeSemaphore(1);
    // One change at a time, each on disk before anything decides on it.
    const change = (f: (r: MigrationRecord.GraphRecord) => MigrationRecord.GraphRecord) =>
      lock.withPermits(1)(
        Effect.suspend(() => {
          record = f(record);
          return GraphFile.write(root, record);
        }),
      );
    const finished = yield* Queue.unbounded<Either.Either<void, FsError | MigrationsUnreadable>>();
    const ran: Array<string> = [];

    const runOne = (m: Item.Migration) =>
      Effect.gen(function* () {
        const lines: Array<string> = [];
        const onLine = (line: string) => {
          lines.push(line);
          options.onEvent?.({ _tag: "MigrationOutput", id: m.id, line });
        };
        const request = yield* Effect.either(Invocation.request(root, record, m, onLine, epochs));
        const result = Either.isLeft(request) ? null : yield* Effect.either(runner.run(request.right));
        const now = yield* clock.nowMs;
        const ended: Outcome.Ended = Either.isLeft(request)
          ? { ok: false, message: request.left }
          : result === null || Either.isLeft(result)
            ? { ok: false, message: result === null ? "not run" : result.left.message }
            : Outcome.of(m, result.right, lines);
        const items = ended.ok ? ended.items : [];
        if (items.length > 0) yield* Items.add(root, record, items);
        yield* change((r) => {
          const next = MigrationRecord.update(r, m.id, { status: ended.ok ? "done" : "failed", finishedMs: now, message: ended.message });
          return items.length > 0 ? { ...next, paused: { by: m.id, items: items.map((i) => i.id) } } : next;
        });
        options.onEvent?.({ _tag: "MigrationFinished", id: m.id, ok: ended.ok, message: ended.message });
        yield* Failpoint.hit(`migration:${m.id}:finished`);
      });

    // Entries a crash left running are pending again, on disk too, before anything is started.
    if (Object.values(loaded.record.progress).some((e) => e.status === "running")) yield* change((r) => r);
    let running = 0;
    let stoppedBy: StopSignal | null = null;
    for (;;) {
      stoppedBy = stoppedBy ?? (options.stop === undefined ? null : yield* options.stop);
      for (const m of stoppedBy === null ? MigrationSchedule.next(graph, MigrationRecord.progressOf(record), gate()) : []) {
        const now = yield* clock.nowMs;
        yield* change((r) => MigrationRecord.update(r, m.id, { status: "running", runs: (r.progress[m.id]?.runs ?? 0) + 1, startedMs: now, finishedMs: null, message: null }));
        ran.push(m.id);
        running++;
        options.onEvent?.({ _tag: "MigrationStarted", id: m.id, run: record.progress[m.id]?.runs ?? 1 });
        yield* Failpoint.hit(`migration:${m.id}:started`);
        yield* Effect.fork(Effect.either(runOne(m)).pipe(Effect.flatMap((r) => Queue.offer(finished, r))));
      }
      if (running === 0) break;
      const one = yield* Queue.take(finished);
      running--;
      // The record could not be written: stop here; what runs is recorded as running and runs again.
      if (Either.isLeft(one)) return yield* Effect.fail(one.left);
    }
    const outcome = MigrationSchedule.outcome(graph, MigrationRecord.progressOf(record), gate());
    if (outcome._tag === "Complete") yield* GraphFile.remove(root);
    return { record, outcome, ran, stoppedBy: outcome._tag === "Running" ? stoppedBy : null } satisfies Report;
  });

/**
 * How the steps that carry a service's data are carried out: dump (the service's program, as its
 * user, into the snapshot's dump directory), save (the store's staged, hashed snapshot), restore
 * and its undo (snapd's copy-data rule, `snapshots/Restore.ts`), load, the data-epoch record
 * (one atomic durable write) and dropping the moved-aside copies after the commit. Each is
 * idempotent: run again after a crash it finishes the work or finds it done.
 */
import { DataEpochs, type StateSteps as Model } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import type { ObserveError } from "../Errors.js";
import { FileSystem, type FsError } from "../ports/FileSystem.js";
import { SnapshotError } from "../snapshots/SnapshotError.js";
import type { ProcessRunner } from "../ports/ProcessRunner.js";
import * as Root from "../root/Root.js";
import * as StateFiles from "../observe/StateFiles.js";
import * as Flush from "../snapshots/Flush.js";
import * as Layout from "../snapshots/Layout.js";
import * as Open from "../snapshots/Open.js";
import * as Restore from "../snapshots/Restore.js";
import * as Save from "../snapshots/Save.js";
import * as SnapshotConfig from "../snapshots/SnapshotConfig.js";
import * as StateProgram from "../snapshots/StateProgram.js";
import type { StepError, StepOptions } from "./Steps.js";

type Failure = FsError | SnapshotError | ObserveError | StepError;

/** A step fails with a cause the apply report knows: the config and the epoch record's errors are the store's Io. */
const asStep = (e: Failure): StepError => {
  if (!("_tag" in e)) return e;
  const cause = e._tag === "ObserveError" ? new SnapshotError({ reason: "Io", id: "", message: e.message }) : e;
  return { cause, message: e.message, lastLines: [] };
};

/** The identity given to the apply, else the one the config names (a restore of an encrypted snapshot needs it). */
const identityOf = (root: Root.Root, given: string | null | undefined) =>
  given !== undefined && given !== null ? Effect.succeed(given) : Effect.map(SnapshotConfig.read(root), (c) => (c.identity === null ? null : Root.host(root, c.identity)));

export const run = (step: Model.StateStep, options: StepOptions): Effect.Effect<"done", StepError, FileSystem | ProcessRunner> => {
  const root = options.root;
  const onLine = (line: string) => options.onEvent?.({ _tag: "Output", line });
  const timeoutMs = options.settings.activationTimeoutMs;
  const work = Effect.gen(function* () {
    switch (step._tag) {
      case "DumpState": {
        const argv = step.service.record.state?.dump ?? null;
        if (argv === null) return;
        if (yield* exists(Layout.committed(root, step.snapshot))) return;
        const dir = Layout.dump(root, step.snapshot);
        yield* Durable.removeTree(dir);
        yield* Durable.ensureDirectory(dir);
        yield* StateProgram.handOver(step.snapshot, dir, step.service.record.user, step.service.record.group);
        yield* StateProgram.run({ root, ref: step.service, argv, what: "dump", stateDir: dir, timeoutMs, onLine });
        yield* Flush.tree(dir);
        return;
      }
      case "SaveSnapshot": {
        yield* Save.save(root, {
          id: step.snapshot,
          service: step.service.record.name,
          generation: step.generation,
          revision: step.revision,
          epoch: step.epoch,
          takenMs: step.takenMs,
          reason: "before-switch",
          paths: step.paths,
          dump: step.dump ? Layout.dump(root, step.snapshot) : null,
          compression: step.compression,
          recipients: step.recipients,
        });
        return yield* Durable.removeTree(Layout.dump(root, step.snapshot));
      }
      case "RestorePaths": {
        const r = { root, id: step.snapshot, service: step.serviceName, identity: yield* identityOf(root, options.identity) };
        for (const move of step.moves) yield* Restore.restore(r, move);
        return;
      }
      case "UndoRestorePaths":
        for (const move of [...step.moves].reverse()) yield* Restore.undo(root, step.snapshot, move);
        return;
      case "LoadState": {
        const argv = step.service.record.state?.load ?? null;
        if (argv === null) return;
        // In a revert: the forward steps never committed that snapshot, so there is nothing to load back.
        if (step.ifSaved && !(yield* exists(Layout.committed(root, step.snapshot)))) return;
        const dir = Layout.scratch(root, step.snapshot, "load");
        yield* Durable.removeTree(dir);
        yield* Open.extract(root, { id: step.snapshot, service: step.service.record.name, path: null, dest: dir, identity: yield* identityOf(root, options.identity) });
        yield* StateProgram.handOver(step.snapshot, dir, step.service.record.user, step.service.record.group, true);
        yield* StateProgram.run({ root, ref: step.service, argv, what: "load", stateDir: dir, timeoutMs, onLine }).pipe(
          Effect.ensuring(Durable.removeTree(dir).pipe(Effect.ignore)),
        );
        return yield* Durable.removeTree(dir);
      }
      case "SetDataEpoch": {
        const file = yield* StateFiles.readEpochs(root);
        const next = DataEpochs.withRecord(file, step.serviceName, step.record);
        return yield* Durable.writeFile(StateFiles.epochsPath(root), new TextEncoder().encode(DataEpochs.toText(next)));
      }
      case "DropAside":
        for (const aside of step.paths) yield* Durable.removeTree(Root.host(root, aside));
        return;
    }
  });
  return work.pipe(
    Effect.as("done" as const),
    Effect.mapError(asStep),
  );
};

const exists = (path: string) => Effect.flatMap(FileSystem, (fs) => fs.lstat(path).pipe(Effect.as(true), Effect.orElseSucceed(() => false)));

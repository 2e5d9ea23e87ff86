/**
 * The `BeginMigrations` step: record the graph under way. Run again (recover finishing an apply
 * past its commit), it finds its own graph recorded and leaves it, progress and all.
 */
import { MigrationRecord, type Step } from "@switchyard/model";
import { Effect } from "effect";
import type * as Root from "../root/Root.js";
import * as GraphFile from "./GraphFile.js";
import { MigrationsPending } from "./MigrationErrors.js";

export const run = (step: Step.BeginMigrationsStep, root: Root.Root) =>
  Effect.gen(function* () {
    const found = yield* GraphFile.read(root);
    if (found !== null && MigrationRecord.sameGraph(found.record, step)) return;
    // Apply refuses to start while another graph is under way; one found here appeared meanwhile.
    if (found !== null) return yield* new MigrationsPending({ message: `another migration graph is under way (${GraphFile.graphPath(root)}); see 'switchyard migrations'` });
    yield* GraphFile.begin(root, MigrationRecord.begin(step));
  });

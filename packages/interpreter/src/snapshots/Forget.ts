/**
 * Forget snapshots: one by id, or those retention picks. A snapshot leaves the catalogue in one
 * rename (to a hidden name) before its files are removed, so a crash never leaves half of one listed.
 */
import { type Plan, Retention, SnapshotId } from "@switchyard/model";
import { Effect } from "effect";
import * as Catalogue from "./Catalogue.js";
import * as Durable from "../durable/Durable.js";
import * as Generations from "../observe/Generations.js";
import * as Layout from "./Layout.js";
import { Clock } from "../ports/Clock.js";
import { FileSystem } from "../ports/FileSystem.js";
import type * as Root from "../root/Root.js";
import { notAnId, SnapshotError } from "./SnapshotError.js";

export const forget = (root: Root.Root, id: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const dir = Layout.committed(root, id);
    const io = (e: { readonly message: string }) => new SnapshotError({ reason: "Io", id, message: `snapshot ${id}: ${e.message}` });
    if (!SnapshotId.is(id)) return yield* notAnId(id);
    const stat = yield* fs.lstat(dir).pipe(Effect.option);
    if (stat._tag === "None" || stat.value.kind !== "directory") {
      return yield* new SnapshotError({ reason: "NotFound", id, message: `no snapshot ${id}; 'switchyard snapshot list' shows the snapshots there are` });
    }
    const aside = Layout.scratch(root, id, "forget");
    yield* Durable.removeTree(aside).pipe(Effect.mapError(io));
    yield* fs.rename(dir, aside).pipe(Effect.mapError(io));
    yield* fs.fsyncDirectory(Layout.dir(root)).pipe(Effect.mapError(io));
    yield* Durable.removeTree(aside).pipe(Effect.mapError(io));
  });

/** Apply retention: forget what `Retention.decide` picks; returns the ids forgotten. */
export const retain = (root: Root.Root, keep: Retention.Keep, remainingGenerations: ReadonlyArray<number>, nowMs: number) =>
  Effect.gen(function* () {
    const catalogue = yield* Catalogue.list(root);
    const decision = Retention.decide(catalogue.snapshots, keep, remainingGenerations, nowMs);
    for (const id of decision.forget) yield* forget(root, id);
    return decision.forget;
  });

/** Remove what a crash left in the snapshots directory (partials, dumps, scratch), as `recover` does. */
export const removeLeftovers = (root: Root.Root) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const names = yield* fs.readDirectory(Layout.dir(root)).pipe(Effect.orElseSucceed(() => [] as ReadonlyArray<string>));
    const removed = names.filter(Layout.isHidden).map((name) => `${Layout.dir(root)}/${name}`);
    for (const path of removed) yield* Durable.removeTree(path);
    return removed;
  });

/** What retention after an apply did: the ids forgotten, or why it could not run (the apply stands). */
export type Retained = { readonly _tag: "Retained"; readonly forgotten: ReadonlyArray<string> } | { readonly _tag: "RetentionFailed"; readonly message: string };

/**
 * Retention after an apply (a delete is one too): the plan's `snapshots.keep` over the catalogue,
 * protecting the newest snapshot of every generation still there. The transition is committed by
 * now, so a failure here changes nothing of it: it is reported for a warning, and the next apply
 * tries again.
 */
export const afterApply = (root: Root.Root, plan: Pick<Plan.Plan, "settings" | "snapshots" | "nowMs">) =>
  Effect.gen(function* () {
    const catalogue = yield* Catalogue.list(root);
    if (catalogue.snapshots.length === 0) return { _tag: "Retained", forgotten: [] } satisfies Retained;
    const links = yield* Generations.observe(root, plan.settings);
    const nowMs = plan.nowMs ?? (yield* (yield* Clock).nowMs);
    const forgotten = yield* retain(root, plan.snapshots.keep, links.generations.map((g) => g.number), nowMs);
    return { _tag: "Retained", forgotten } satisfies Retained;
  }).pipe(
    Effect.catchAll((e) => Effect.succeed<Retained>({ _tag: "RetentionFailed", message: `snapshot retention did not run (${e.message}); the apply stands, the next one tries again` })),
  );

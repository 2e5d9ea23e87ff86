/**
 * Which snapshots to forget: per service, keep the newest `count` and drop those older than
 * `maxAgeDays`, but never the newest snapshot of a generation that still exists, since a rollback
 * to that generation would need it. Pure: the caller passes the clock and the generations left.
 */
import * as SnapshotMeta from "./SnapshotMeta.js";

export interface Keep {
  /** Newest snapshots kept per service (at least 1). */
  readonly count: number;
  /** Snapshots older than this are forgotten (null: no age limit). */
  readonly maxAgeDays: number | null;
}

export const defaults: Keep = { count: 5, maxAgeDays: null };

const DAY_MS = 86_400_000;

export interface Decision {
  /** The ids to forget, oldest first. */
  readonly forget: ReadonlyArray<string>;
  /** The ids kept only because a remaining generation would need them to roll back. */
  readonly protectedIds: ReadonlyArray<string>;
}

export const decide = (
  snapshots: ReadonlyArray<SnapshotMeta.Meta>,
  keep: Keep,
  remainingGenerations: ReadonlyArray<number>,
  nowMs: number,
): Decision => {
  const needed = new Set<string>();
  const services = [...new Set(snapshots.map((s) => s.service))];
  for (const service of services) {
    for (const g of remainingGenerations) {
      const s = SnapshotMeta.newestOf(snapshots, service, g);
      if (s !== undefined) needed.add(s.id);
    }
  }
  const forget: Array<SnapshotMeta.Meta> = [];
  const protectedIds: Array<string> = [];
  for (const service of services) {
    const own = SnapshotMeta.newestFirst(snapshots.filter((s) => s.service === service));
    own.forEach((s, i) => {
      const tooMany = i >= Math.max(1, keep.count);
      const tooOld = keep.maxAgeDays !== null && nowMs - s.takenMs > keep.maxAgeDays * DAY_MS;
      if (!tooMany && !tooOld) return;
      if (needed.has(s.id)) protectedIds.push(s.id);
      else forget.push(s);
    });
  }
  return {
    forget: [...forget].sort((a, b) => a.takenMs - b.takenMs || (a.id < b.id ? -1 : 1)).map((s) => s.id),
    protectedIds: protectedIds.sort(),
  };
};

/**
 * Retention after an apply: `snapshots.keep` forgets the surplus and the too old, except the
 * newest snapshot of each generation still there (a delete that removes a generation releases
 * its snapshots).
 */
import { SnapshotId } from "@switchyard/model";
import { describe, expect, it } from "vitest";
import { MEMORY_ROOT, memoryMachine, NOW_MS, run, switchTo } from "../../support/machine.js";

const DAY = 86_400_000;
const DIR = `${MEMORY_ROOT}/var/lib/switchyard/snapshots`;

const meta = (id: string, generation: number, takenMs: number) =>
  JSON.stringify({ version: 1, id, service: "db", generation, revision: null, epoch: { read: [0], write: [0] }, takenMs, reason: "before-switch", members: [], compression: "zstd", encrypted: false, recipients: [] });

describe("retention after an apply", () => {
  it("keeps the newest per service and the newest of every remaining generation; a delete releases a deleted generation's", async () => {
    const m = memoryMachine({ generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current: 1 });
    const ids = [
      SnapshotId.of("db", 1, NOW_MS - 40 * DAY),
      SnapshotId.of("db", 1, NOW_MS - 30 * DAY),
      SnapshotId.of("db", 2, NOW_MS - 1 * DAY),
      SnapshotId.of("db", 3, NOW_MS - 20 * DAY),
    ];
    const [old1, new1, only2, only3] = ids as unknown as [string, string, string, string];
    m.fs.seed({
      [`${MEMORY_ROOT}/etc/switchyard/config.json`]: { kind: "file", content: JSON.stringify({ snapshots: { keep: { count: 1 } } }) },
      ...Object.fromEntries(ids.map((id, i) => [`${DIR}/${id}/meta.json`, { kind: "file", content: meta(id, [1, 1, 2, 3][i] as number, NOW_MS - [40, 30, 1, 20][i]! * DAY) }])),
    });
    const listed = () => Object.keys(m.fs.snapshot({ under: DIR })).filter((k) => !k.includes("/")).sort();
    await switchTo(m, 2);
    // Only one per service, but generations 1, 2 and 3 each keep their newest; generation 1's older one goes.
    expect(listed()).toEqual([new1, only2, only3].sort());
    expect(listed()).not.toContain(old1);
    // Generation 3 goes (generation 1 is booted, so it stays): its snapshot is no longer needed.
    await run(m, { _tag: "Delete", pattern: "1,3" });
    expect(listed()).toEqual([new1, only2].sort());
  });
});

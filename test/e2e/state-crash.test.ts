/**
 * Real-process crashes in a rollback that restores a service's data: the binary kills itself
 * (SIGKILL) at each crash point of the snapshot and the restore (and once after the commit), then
 * `switchyard recover` runs. The data directory then holds exactly the data of before the rollback
 * (reverted) or the restored snapshot (finished), as recover says, with no sibling left beside it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyRoot, execIn, inBatches, removeSnapshot, show } from "./faults-support.js";
import { cleanUp, Fixture, tempDir } from "./support.js";

const work = tempDir();
const base = path.join(work, "base");
const blog = (epoch: string) => ({ name: "blog", start: ["/bin/sleep", "1000"], state: { paths: ["/var/lib/blog"], epoch, restore: "on-rollback" } });
Fixture.makeRoot(base, { generations: [{ number: 1, services: [blog("1")] }, { number: 2, services: [blog("2*")] }], current: 1, running: 1, booted: 1 });
fs.mkdirSync(path.join(base, "var/lib/blog/uploads"), { recursive: true });
fs.writeFileSync(path.join(base, "var/lib/blog/post"), "written by generation 1\n");
fs.writeFileSync(path.join(base, "var/lib/blog/uploads/a.png"), "png");

afterAll(() => {
  removeSnapshot();
  cleanUp();
});

const contents = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dir, r), "utf8");
    }
  };
  walk("");
  return out;
};

describe("a SIGKILL while a rollback snapshots and restores a service's data", () => {
  it("recover leaves the data of before or the restored snapshot, whole, and nothing beside it", async () => {
    const v1 = contents(path.join(base, "var/lib/blog"));
    const up = await execIn(base, ["apply", "switch", "2", "--yes"]);
    expect(up.code, show(up)).toBe(0);
    fs.writeFileSync(path.join(base, "var/lib/blog/post"), "written by generation 2 after the upgrade\n");
    fs.rmSync(path.join(base, "var/lib/blog/uploads/a.png"));
    const v2 = contents(path.join(base, "var/lib/blog"));

    const counted = await execIn(copyRoot(base, path.join(work, "count")), ["apply", "rollback", "--yes"], { env: { SWITCHYARD_FAILPOINT: "count" } });
    expect(counted.code, show(counted)).toBe(0);
    const labels = [...counted.stderr.matchAll(/^failpoint (\d+) (\S+)$/gm)].map((m) => [Number(m[1]), m[2] as string] as const);
    const chosen = labels.filter(([, l]) => /^(snapshot|restore):/.test(l)).map(([n]) => n);
    expect(chosen.length).toBeGreaterThanOrEqual(4);
    const lastStep = labels.filter(([, l]) => l.startsWith("forward:step-")).pop();
    if (lastStep !== undefined) chosen.push(lastStep[0]);

    const outcomes = await inBatches(chosen, 3, async (n) => {
      const root = copyRoot(base, path.join(work, `crash-${n}`));
      const crashed = await execIn(root, ["apply", "rollback", "--yes"], { env: { SWITCHYARD_FAILPOINT: String(n) } });
      expect(crashed.signal, `crash point ${n}: ${show(crashed)}`).toBe("SIGKILL");
      const recovered = await execIn(root, ["recover"]);
      expect(recovered.code, `recover after crash point ${n}: ${show(recovered)}`).toBe(0);
      const data = contents(path.join(root, "var/lib/blog"));
      const finished = /finished/.test(recovered.stdout);
      expect(data, `crash point ${n}: ${recovered.stdout}`).toEqual(finished ? v1 : v2);
      expect(fs.readdirSync(path.join(root, "var/lib")).sort(), `crash point ${n}`).toEqual(["blog", "switchyard"]);
      expect(fs.readdirSync(path.join(root, "var/lib/switchyard/snapshots")).filter((e) => e.startsWith(".")), `crash point ${n}`).toEqual([]);
      return finished ? "finished" : "reverted";
    });
    expect(new Set(outcomes)).toEqual(new Set(["finished", "reverted"]));
  }, 60_000);
});

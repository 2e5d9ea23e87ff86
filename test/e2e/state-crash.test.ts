/**
 * Real-process crashes in a rollback that restores a service's data, under a real s6 tree: the
 * binary kills itself (SIGKILL) at each crash point of the snapshot and the restore (and once after
 * the commit), then `switchyard recover` runs. The data directory then holds exactly the data of
 * before the rollback (reverted) or the restored snapshot (finished), as recover says, with no
 * sibling left beside it, and the service runs again as the generation recover settled on.
 *
 * Each crash point gets its own copy of one supervised root, and its own supervisor: s6's runtime
 * state (supervise/, event/, .s6-svscan/) belongs to the supervisor that made it, so the copy leaves
 * it out and a supervisor started on the copy makes it again.
 */
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { copyRoot, execIn, inBatches, removeSnapshot, show } from "./faults-support.js";
import { hasS6, S6, SCAN, supervisedRoots } from "./s6-support.js";
import { Fixture, readText, tempDir } from "./support.js";

const work = tempDir();
const base = path.join(work, "base");
const template = path.join(work, "template");
const blog = (epoch: string) => ({ name: "blog", start: ["/bin/sleep", "1000"], state: { paths: ["/var/lib/blog"], epoch, restore: "on-rollback" } });
Fixture.makeRoot(base, { generations: [{ number: 1, services: [blog("1")] }, { number: 2, services: [blog("2*")] }], current: 1, running: 1, booted: 1 });
fs.mkdirSync(path.join(base, "var/lib/blog/uploads"), { recursive: true });
fs.writeFileSync(path.join(base, "var/lib/blog/post"), "written by generation 1\n");
fs.writeFileSync(path.join(base, "var/lib/blog/uploads/a.png"), "png");

if (!hasS6) console.log("state-crash.test.ts: skipped: s6 is not installed (no s6-svscan in PATH), and these crashes happen under a real s6 tree");

/** Roots whose supervisor this file started and has not stopped yet. */
const started = new Set<string>();
/** The ones `stop` could not stop: stopAll tries `supervisor stop`, then the recorded pid. */
const stubborn = supervisedRoots();
const svscans = (): ReadonlyArray<string> => (spawnSync("pgrep", ["-f", `s6-svscan ${work}/`], { encoding: "utf8" }).stdout ?? "").split("\n").filter((l) => l !== "");
afterAll(async () => {
  await Promise.all([...started].map(stop));
  await stubborn.stopAll();
  removeSnapshot();
  expect(svscans(), "an s6-svscan of this file outlived it").toEqual([]);
});

/** Under s6; a started service counts as up sooner than by default (it only sleeps), to keep this short. */
const sy = (root: string, args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  execIn(root, [...S6, ...args, ...(args[0] === "supervisor" ? [] : ["--service-settle-ms", "50"])], { env });
const must = async (root: string, ...args: ReadonlyArray<string>) => {
  const r = await sy(root, args);
  expect(r.code, `${args.join(" ")}: ${show(r)}`).toBe(0);
  return r;
};
const execFileAsync = promisify(execFile);

const start = async (root: string): Promise<void> => {
  started.add(root);
  await must(root, "supervisor", "start");
};
/** Not gone, and not a zombie (whose command line is empty): nothing here reaps a detached s6-svscan. */
const running = (pid: number): boolean => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8") !== "";
  } catch {
    return false;
  }
};
/**
 * `s6-svscanctl -t` (what `supervisor stop` does, without a switchyard process per root), waited
 * for: the root's s6-svscan gone, its services down.
 */
async function stop(root: string): Promise<void> {
  started.delete(root);
  const pid = Number(readText(root, "/var/lib/switchyard/supervisor.pid") ?? "0");
  await execFileAsync("s6-svscanctl", ["-t", path.join(root, SCAN)]).catch(() => undefined);
  for (const end = Date.now() + 10_000; pid > 0 && running(pid) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
  if (pid === 0 || running(pid)) stubborn.track(root);
}

const service = (root: string) => path.join(root, SCAN, "blog");
const runtime = (inRoot: string) => inRoot.startsWith(`${SCAN}/`) && /\/(supervise|event|\.s6-svscan)$/.test(inRoot);
const svstat = async (root: string): Promise<string> =>
  (await execFileAsync("s6-svstat", ["-o", "up", service(root)]).catch(() => ({ stdout: "" }))).stdout.trim();
/** A new supervisor starts blog by itself; the apply must find it up, as the counted one did. */
const untilUp = async (root: string): Promise<void> => {
  for (const end = Date.now() + 10_000; (await svstat(root)) !== "true"; ) {
    if (Date.now() > end) throw new Error(`blog did not come up in ${root}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const generationRun = (root: string): number =>
  (JSON.parse(fs.readFileSync(path.join(service(root), "data/switchyard.json"), "utf8")) as { generation: number }).generation;

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

describe.skipIf(!hasS6)("a SIGKILL while a rollback snapshots and restores a service's data, under s6", () => {
  it("recover leaves the data of before or the restored snapshot, whole, and nothing beside it", async () => {
    const v1 = contents(path.join(base, "var/lib/blog"));
    // Generation 1's service was never started under s6: the upgrade snapshots its data all the same.
    await start(base);
    await must(base, "apply", "switch", "2", "--yes");
    fs.writeFileSync(path.join(base, "var/lib/blog/post"), "written by generation 2 after the upgrade\n");
    fs.rmSync(path.join(base, "var/lib/blog/uploads/a.png"));
    const v2 = contents(path.join(base, "var/lib/blog"));
    copyRoot(base, template, runtime);

    // The counted rollback runs on the original, under its own supervisor, while the copies wait.
    const counted = await sy(base, ["apply", "rollback", "--yes"], { SWITCHYARD_FAILPOINT: "count" });
    expect(counted.code, show(counted)).toBe(0);
    await stop(base);
    const labels = [...counted.stderr.matchAll(/^failpoint (\d+) (\S+)$/gm)].map((m) => [Number(m[1]), m[2] as string] as const);
    const chosen = labels.filter(([, l]) => /^(snapshot|restore):/.test(l)).map(([n]) => n);
    expect(chosen.length, counted.stderr).toBeGreaterThanOrEqual(4);
    const lastStep = labels.filter(([, l]) => l.startsWith("forward:step-")).pop();
    if (lastStep !== undefined) chosen.push(lastStep[0]);

    const outcomes = await inBatches(chosen, 3, async (n) => {
      const root = copyRoot(template, path.join(work, `crash-${n}`));
      // The run script names the system directory on the host: the copy's own.
      const run = path.join(service(root), "run");
      fs.writeFileSync(run, fs.readFileSync(run, "utf8").replaceAll(base, root));
      try {
        await start(root);
        await untilUp(root);
        const crashed = await sy(root, ["apply", "rollback", "--yes"], { SWITCHYARD_FAILPOINT: String(n) });
        expect(crashed.signal, `crash point ${n}: ${show(crashed)}`).toBe("SIGKILL");
        const recovered = await sy(root, ["recover"]);
        expect(recovered.code, `recover after crash point ${n}: ${show(recovered)}`).toBe(0);
        const data = contents(path.join(root, "var/lib/blog"));
        const finished = /finished/.test(recovered.stdout);
        expect(data, `crash point ${n}: ${recovered.stdout}`).toEqual(finished ? v1 : v2);
        expect(fs.readdirSync(path.join(root, "var/lib")).sort(), `crash point ${n}`).toEqual(["blog", "switchyard"]);
        expect(fs.readdirSync(path.join(root, "var/lib/switchyard/snapshots")).filter((e) => e.startsWith(".")), `crash point ${n}`).toEqual([]);
        // And the service runs again, as the generation recover settled on, from its one directory.
        expect({ generation: generationRun(root), up: await svstat(root) }, `crash point ${n}: ${recovered.stdout}`).toEqual({ generation: finished ? 1 : 2, up: "true" });
        expect(fs.readdirSync(path.join(root, SCAN)).sort(), `crash point ${n}`).toEqual([".s6-svscan", "blog"]);
        return finished ? "finished" : "reverted";
      } finally {
        await stop(root);
      }
    });
    expect(new Set(outcomes)).toEqual(new Set(["finished", "reverted"]));
  }, 60_000);
});

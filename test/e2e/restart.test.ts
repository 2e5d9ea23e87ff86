/**
 * `switchyard restart` against a real s6 supervision tree: paying restart debt puts services on the
 * current generation's code (what the services themselves log says so, and `status` agrees),
 * stops what was removed but kept running, clears the debt record, and a restart that fails is
 * reverted onto the code the service ran before. Every supervisor started here is stopped.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasS6, ok, supervisedRoots, sy } from "./s6-support.js";
import { exists, type GenerationSpec, readText, systemOf } from "./support.js";

const DEBT = "/var/lib/switchyard/restart-debt.json";
const supervised = supervisedRoots();

// Plain ASCII, no colours: the assertions read the text.
for (const name of ["LC_ALL", "LC_CTYPE", "FORCE_COLOR"]) delete process.env[name];
process.env.LANG = "C";


/** Each generation's `bin/svc` logs "start NAME GEN" (whose code runs) and sleeps; `bin/crash` exits at once. */
const installPrograms = (root: string, n: number) => {
  const bin = path.join(root, systemOf(n), "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "svc"), `#!/bin/sh\necho "start $1 ${n}" >> ../../var/log/services\nexec sleep 1000\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "crash"), '#!/bin/sh\necho "crashing: bad config"\nexit 3\n', { mode: 0o755 });
};

/**
 * Shorter than the default settle time: `bin/svc` never exits, and the one restart onto `bin/crash`
 * (which exits at once) passes the default back.
 */
const s6Root = (generations: ReadonlyArray<GenerationSpec>): Promise<string> => supervised.make(generations, installPrograms, { serviceSettleMs: 150 });

afterAll(supervised.stopAll);

const svc = (name: string, extra: Record<string, unknown> = {}) => ({ name, start: ["bin/svc", name], ...extra });

/** name -> [up, generation whose revision it runs, matches the current generation]. */
const status = async (root: string) => {
  const doc = JSON.parse((await ok(root, "status", "--json")).stdout) as {
    services: ReadonlyArray<{ name: string; observed: { up: boolean; generation: number | null; pid: number | null } | null; matches: boolean }>;
    debt: ReadonlyArray<{ service: string }>;
  };
  return {
    services: Object.fromEntries(doc.services.map((s) => [s.name, [s.observed?.up ?? false, s.observed?.generation ?? null, s.matches] as const])),
    pids: Object.fromEntries(doc.services.map((s) => [s.name, s.observed?.pid ?? null])),
    debt: doc.debt.map((d) => d.service),
  };
};

const log = (root: string): ReadonlyArray<string> => (readText(root, "/var/log/services") ?? "").split("\n").filter((l) => l !== "");

describe.skipIf(!hasS6)("restart pays restart debt under s6", () => {
  const gen1 = [svc("db", { env: { V: "1" } }), svc("web", { requires: ["db"], env: { V: "1" } }), svc("old", { stopOnRemoval: false })];
  const gen2 = [svc("db", { env: { V: "2" } }), svc("web", { requires: ["db"], env: { V: "2" } })];

  it("--debt: the owed services run generation 2's code, the removed one is stopped, the debt is gone", async () => {
    const root = await s6Root([
      { number: 1, services: gen1 },
      { number: 2, services: gen2 },
    ]);
    await ok(root, "apply", "switch", "2", "--services", "conservative", "--yes");
    const before = await status(root);
    expect(before.services).toEqual({ db: [true, 1, false], old: [true, 1, false], web: [true, 1, false] });
    expect(before.debt).toEqual(["db", "old", "web"]);

    // Without --yes and not on a terminal: refused, nothing done.
    const asked = await sy(root, "restart", "--debt");
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain("switchyard restart: not on a terminal, nobody can confirm; use --yes");
    expect((await status(root)).debt).toEqual(["db", "old", "web"]);

    const r = await ok(root, "restart", "--debt", "--yes");
    expect(r.stdout).toContain("Plan: restart what is left on old code onto generation 2's code\n");
    expect(r.stdout).toContain("  -   old  not in generation 2: stopped\n");
    expect(r.stdout).toContain("  ~   db   runs generation 1's code (changed: env)\n");
    expect(r.stdout).toContain("  -   restart debt: cleared\n");
    expect(r.stdout).toContain("\n1 to stop, 2 to restart.\n");
    expect(r.stdout).toMatch(/restarted onto generation 2's code: db, web, old in [0-9.]+ s\n$/);
    expect(r.stderr).toMatch(/^\[2\/5\] restart db \.\.\. ok [0-9.]+ s$/m);
    const after = await status(root);
    expect(after.services).toEqual({ db: [true, 2, true], web: [true, 2, true] });
    expect(after.debt).toEqual([]);
    expect(exists(root, DEBT)).toBe(false);
    expect(log(root).slice(-2)).toEqual(["start db 2", "start web 2"]);

    // Nothing is owed any more.
    expect((await ok(root, "restart", "--debt", "--yes")).stdout).toContain("Nothing to do.");

    // A service on the current code is restarted all the same: that is what was asked.
    const pid = after.pids.web;
    const again = await ok(root, "restart", "web", "--yes");
    expect(again.stdout).toContain("  ~   web  already runs generation 2's code\n");
    expect((await status(root)).pids.web).not.toBe(pid);
    expect(log(root).at(-1)).toBe("start web 2");
  });

  it("a restart that fails is reverted: the service runs the code it ran before, and still owes it", async () => {
    const root = await s6Root([
      { number: 1, services: [svc("db", { env: { V: "1" } })] },
      { number: 2, services: [svc("db", { env: { V: "2" }, start: ["bin/crash"] })] },
    ]);
    await ok(root, "apply", "switch", "2", "--services", "conservative", "--yes");
    const r = await sy(root, "restart", "db", "--yes", "--service-settle-ms", "300");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^switchyard: restart db failed: service db/m);
    expect(r.stderr).toContain("| crashing: bad config");
    expect(r.stderr).toMatch(/^\[revert 1\/2\] restart db \.\.\. ok/m);
    const after = await status(root);
    expect(after.services).toEqual({ db: [true, 1, false] });
    expect(after.debt).toEqual(["db"]);
    expect(log(root).at(-1)).toBe("start db 1");
  });

  it("refuses what it cannot do with one line, changing nothing", async () => {
    const root = await s6Root([
      { number: 1, services: gen1 },
      { number: 2, services: gen2 },
    ]);
    const unknown = await sy(root, "restart", "dbb", "--yes");
    expect([unknown.code, unknown.stderr]).toEqual([2, "switchyard: 'dbb' is not a service of generation 1; did you mean 'db'?\n"]);
    const both = await sy(root, "restart", "db", "--debt");
    expect([both.code, both.stderr]).toEqual([2, "switchyard restart: give either SERVICE... or --debt, not both; see 'switchyard help restart'\n"]);
    const none = await sy(root, "restart");
    expect(none.code).toBe(2);
    // Booting generation 2 next is not running it: restarting onto its code would mix the two.
    await ok(root, "apply", "switch", "2", "--mode", "boot", "--yes");
    const mixed = await sy(root, "restart", "db", "--yes");
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toBe("switchyard: generation 2 is current but generation 1 is running; restarting onto generation 2's code would mix the two: switch first ('switchyard apply switch 2')\n");
    expect((await status(root)).services).toMatchObject({ db: [true, 1, false] });
  });
});

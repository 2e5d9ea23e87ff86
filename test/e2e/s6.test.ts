/**
 * End to end against a real s6 supervision tree: each root gets its own `s6-svscan`, started with
 * `switchyard supervisor start` and always stopped afterwards. The services are tiny shell scripts
 * inside each system directory that append "start NAME GEN" to /var/log/services every time they
 * start (GEN is baked into the script, so it says whose code runs), then sleep. Every switch is
 * checked three ways: s6-svstat, `switchyard status --json`, and what the services wrote.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCAN, S6, ok, supervisedRoots, sy } from "./s6-support.js";
import { type GenerationSpec, PROFILE, readLink, readText, run, systemOf, tempRoot } from "./support.js";

const GRUB = "/boot/grub/grub.cfg";

const supervised = supervisedRoots();

const script = (lines: ReadonlyArray<string>) => `#!/bin/sh\n${lines.join("\n")}\n`;

/** The test programs of generation `n`, written into its system directory. */
const installPrograms = (root: string, n: number) => {
  const bin = path.join(root, systemOf(n), "bin");
  fs.mkdirSync(bin, { recursive: true });
  const log = `>> ../../var/log/services`; // the working directory is the system directory, /store/NAME
  const write = (name: string, lines: ReadonlyArray<string>) => fs.writeFileSync(path.join(bin, name), script(lines), { mode: 0o755 });
  write("svc", [`echo "start $1 ${n}" ${log}`, `echo "service $1 of generation ${n} starting"`, "exec sleep 1000"]);
  write("on-stop", [`echo "stop $1 ${n}" ${log}`]);
  write("reload", [`echo "reload $1 ${n}" ${log}`]);
  write("reload-fail", ['echo "reload refused: bad configuration"', "exit 1"]);
  write("crash", ['echo "crashing: cannot open database"', "exit 3"]);
};

/**
 * The time a started service must stay up, shorter than the default: every service here either
 * sleeps (never exits) or exits at once. It still has to outlast a service script's first line, so
 * the log says which started first. The tests of services that exit at once pass the default back.
 */
const SETTLE_MS = 150;
const DEFAULT_SETTLE = ["--service-settle-ms", "300"] as const;

const s6Root = (generations: ReadonlyArray<GenerationSpec>): Promise<string> => supervised.make(generations, installPrograms, { serviceSettleMs: SETTLE_MS });

afterAll(supervised.stopAll);

const serviceLog = (root: string): ReadonlyArray<string> => (readText(root, "/var/log/services") ?? "").split("\n").filter((l) => l !== "");

/** What s6 itself says: name -> up?, for every service directory in the scan directory. */
const svstat = (root: string): Record<string, boolean> => {
  const scan = path.join(root, SCAN);
  const out: Record<string, boolean> = {};
  for (const name of fs.readdirSync(scan).filter((n) => !n.startsWith("."))) {
    const r = spawnSync("s6-svstat", ["-o", "up", path.join(scan, name)], { encoding: "utf8" });
    out[name] = r.stdout.trim() === "true";
  }
  return out;
};

interface StatusService {
  readonly name: string;
  readonly observed: { readonly up: boolean; readonly generation: number | null; readonly revision: string | null } | null;
  readonly matches: boolean;
}

/** name -> [up, generation whose revision it runs, matches the current generation]. */
const status = async (root: string): Promise<Record<string, readonly [boolean, number | null, boolean]>> => {
  const r = await ok(root, "status", "--json");
  const doc = JSON.parse(r.stdout) as { readonly services: ReadonlyArray<StatusService> };
  return Object.fromEntries(doc.services.map((s) => [s.name, [s.observed?.up ?? false, s.observed?.generation ?? null, s.matches] as const]));
};

/** The generation each service last started with, from what the services themselves wrote. */
const startedAs = (root: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const line of serviceLog(root)) {
    const [what, name, gen] = line.split(" ");
    if (what === "start") out[name as string] = Number(gen);
  }
  return out;
};

const svc = (name: string, extra: Record<string, unknown> = {}) => ({ name, start: ["bin/svc", name], ...extra });

describe("a switch and a rollback under s6", () => {
  const gen1 = [
    svc("db", { env: { V: "1" }, stop: ["bin/on-stop", "db"] }),
    svc("app", { requires: ["db"], env: { V: "1" } }),
    svc("web", { requires: ["app"], env: { V: "1" } }),
    svc("old"),
    svc("cache", { env: { V: "1" }, stopIfChanged: false }),
    svc("rl", { reload: ["bin/reload", "rl"], reloadTriggers: ["config-1"] }),
    svc("pinned", { env: { V: "1" } }),
  ];
  const gen2 = [
    svc("db", { env: { V: "2" }, stop: ["bin/on-stop", "db"] }), // changed: stopped before activation, started after
    svc("app", { requires: ["db"], env: { V: "1" } }), // unchanged, but requires db: cycled with it
    svc("web", { requires: ["app"], env: { V: "1" } }), // likewise, through app
    svc("new"), // added
    svc("cache", { env: { V: "2" }, stopIfChanged: false }), // restart-only
    svc("rl", { reload: ["bin/reload", "rl"], reloadTriggers: ["config-2"] }), // reload-only
    svc("pinned", { env: { V: "2" }, restartIfChanged: false }), // changed but skipped
  ];
  let root = "";
  beforeAll(async () => {
    root = await s6Root([
      { number: 1, services: gen1 },
      { number: 2, services: gen2 },
    ]);
  });

  it("generation 1 comes up: every service supervised, up, on generation 1's revision", async () => {
    expect(svstat(root)).toEqual({ app: true, cache: true, db: true, old: true, pinned: true, rl: true, web: true });
    const s = await status(root);
    for (const name of Object.keys(s)) expect([name, s[name]]).toEqual([name, [true, 1, true]]);
    // Requirements first: db before app before web.
    const starts = serviceLog(root).filter((l) => l.startsWith("start ")).map((l) => l.split(" ")[1]);
    expect(starts.indexOf("db")).toBeLessThan(starts.indexOf("app"));
    expect(starts.indexOf("app")).toBeLessThan(starts.indexOf("web"));
  });

  it("1 → 2: added, removed, changed, restart-only, reload-only and skipped services each get what the records ask for", async () => {
    const before = serviceLog(root).length;
    const r = await ok(root, "apply", "switch", "2", "--yes");
    expect(r.stdout).toContain("4 to stop, 4 to start, 1 to restart, 1 to reload, 1 left on old code.");
    expect(r.stdout).toMatch(/^ {2}- {3}old +not in generation 2$/m);
    for (const name of ["app", "db", "web"]) expect(r.stdout).toMatch(new RegExp(`^ {2}-/\\+ ${name} `, "m"));
    expect(r.stdout).toMatch(/^ {2}\+ {3}new +new in generation 2$/m);
    expect(r.stdout).toMatch(/^ {2}~ {3}cache +changed: env/m);
    expect(r.stdout).toMatch(/^ {2}(↻|\*) {3}rl +changed: reloadTriggers$/m);
    expect(r.stdout).toMatch(/^ {2}! {3}pinned +left on old code: changed, not restarted \(restartIfChanged is false\)$/m);
    // The stop command ran before db went down (old code), then the phases in order, requirements first.
    expect(serviceLog(root).slice(before)).toEqual(["stop db 1", "reload rl 2", "start cache 2", "start db 2", "start app 2", "start new 2", "start web 2"]);
    expect(svstat(root)).toEqual({ app: true, cache: true, db: true, new: true, pinned: true, rl: true, web: true });
    expect(await status(root)).toEqual({
      app: [true, 2, true],
      cache: [true, 2, true],
      db: [true, 2, true],
      new: [true, 2, true],
      // Skipped: still generation 1's code, and status says it is not the current record.
      pinned: [true, 1, false],
      // Reloaded in place: its process is generation 1's, its record now generation 2's.
      rl: [true, 2, true],
      web: [true, 2, true],
    });
    expect(startedAs(root)).toMatchObject({ db: 2, app: 2, web: 2, new: 2, cache: 2, rl: 1, pinned: 1 });
    expect(readLink(root, PROFILE)).toBe("system-2-link");
  });

  it("rollback 2 → 1 brings every service back to generation 1's code (a live downgrade)", async () => {
    const before = serviceLog(root).length;
    await ok(root, "apply", "rollback", "--yes");
    expect(serviceLog(root).slice(before)).toEqual([
      "stop db 2",
      "reload rl 1",
      "start cache 1",
      "start db 1",
      "start app 1",
      "start old 1",
      // pinned was left on generation 1's code: it already runs the target's revision, so it is left alone.
      "start web 1",
    ]);
    expect(svstat(root)).toEqual({ app: true, cache: true, db: true, old: true, pinned: true, rl: true, web: true });
    const s = await status(root);
    for (const name of Object.keys(s)) expect([name, s[name]]).toEqual([name, [true, 1, true]]);
    expect(startedAs(root)).toEqual({ db: 1, app: 1, web: 1, new: 2, old: 1, cache: 1, rl: 1, pinned: 1 });
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    const text = await ok(root, "status");
    expect(text.stdout).toMatch(/^ {2}db +up +[0-9]+ +[0-9]+[smh].* 1 +[0-9a-f]{16} +yes$/m);
  });
});

describe("failures under s6 revert to generation 1", () => {
  const db = svc("db", { env: { V: "1" } });
  const web = svc("web", { requires: ["db"], env: { V: "1" } });
  const rl = svc("rl", { reload: ["bin/reload", "rl"] });
  const changedDb = svc("db", { env: { V: "2" } });
  let root = "";
  beforeAll(async () => {
    root = await s6Root([
      { number: 1, services: [db, web, rl] },
      { number: 2, services: [changedDb, web, rl, svc("crash", { start: ["bin/crash"] })] },
      { number: 3, services: [changedDb, web, rl, svc("ghost", { start: ["bin/no-such-program"] })] },
      { number: 4, services: [changedDb, web, rl], activate: "fail" },
      { number: 5, services: [db, web, svc("rl", { reload: ["bin/reload-fail"], reloadTriggers: ["x"] })] },
    ]);
  });

  /** Switch to `n`, expect exit 1 naming `failed`, and everything back on generation 1. */
  const failsAndReverts = async (n: number, failed: string, output: string, settle: ReadonlyArray<string> = []) => {
    const grub = readText(root, GRUB);
    const r = await sy(root, "apply", "switch", String(n), "--yes", ...settle);
    expect(r.code).toBe(1);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("switchyard: "));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(failed);
    expect(r.stderr).toContain("its last output:");
    expect(r.stderr).toContain(output);
    expect(r.stderr).toContain("reverted: the previous generation is running again; the boot default did not move");
    expect(r.stderr).toContain("revert steps run:");
    expect(r.stderr).toMatch(/state now:\n.*profile +-> system-1-link \(generation 1\)/);
    expect(r.stderr).toMatch(/^ {4}db +up .* 1 +[0-9a-f]{16} +yes$/m);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(readLink(root, "/run/current-system")).toBe(systemOf(1));
    expect(readText(root, GRUB)).toBe(grub);
    expect(await status(root)).toEqual({ db: [true, 1, true], rl: [true, 1, true], web: [true, 1, true] });
    expect(svstat(root)).toEqual({ db: true, rl: true, web: true });
    expect(startedAs(root)).toMatchObject({ db: 1, web: 1, rl: 1 });
    return r;
  };

  it("a service that exits at once", async () => {
    await failsAndReverts(2, "start crash failed: service crash", "| crashing: cannot open database", DEFAULT_SETTLE);
  });

  it("a service that never comes up (its program is missing)", async () => {
    await failsAndReverts(3, "start ghost failed: service ghost", "bin/no-such-program: not found", DEFAULT_SETTLE);
  });

  it("a failing activation script", async () => {
    await failsAndReverts(4, `activate ${systemOf(4)} (switch) failed`, "| cannot set up /etc: disk on fire");
  });

  it("a failing reload", async () => {
    await failsAndReverts(5, "reload rl failed: the reload command of rl exited with status 1", "| reload refused: bad configuration");
  });

  it("a revert that fails too: stops, and says exactly where every service and link stands", async () => {
    // Generation 1's program disappears while it runs: going back to it cannot work.
    fs.rmSync(path.join(root, systemOf(1), "bin/svc"));
    const r = await sy(root, "apply", "switch", "4", "--yes", ...DEFAULT_SETTLE);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("reverting failed too, at 'start db'");
    expect(r.stderr).toMatch(/state now:\n.*profile +-> system-1-link \(generation 1\)\n.*\/run\/current-system +-> \/store\/.*-1 \(generation 1\)/);
    // s6 keeps retrying it: almost always caught down between two attempts.
    expect(r.stderr).toMatch(/^ {4}db +(down, exit 127, restarting .* +no: not running|up .* yes)$/m);
    expect(r.stderr).toMatch(/^ {4}web +not supervised .* +no: not running$/m);
    // rl's record is the same in generation 4, but its programs are generation 4's: it was cycled too.
    expect(r.stderr).toMatch(/^ {4}rl +not supervised .* +no: not running$/m);
  });
});

describe("--services conservative under s6", () => {
  it("leaves a changed running service on its old code", async () => {
    const root = await s6Root([
      { number: 1, services: [svc("db", { env: { V: "1" } })] },
      { number: 2, services: [svc("db", { env: { V: "2" } }), svc("extra")] },
    ]);
    const r = await ok(root, "apply", "switch", "2", "--services", "conservative", "--yes");
    expect(r.stdout).toMatch(/^ {2}! {3}db +left on old code: changed, left running \(--services conservative\)$/m);
    expect(await status(root)).toEqual({ db: [true, 1, false], extra: [true, 2, true] });
    expect(startedAs(root)).toEqual({ db: 1, extra: 2 });
    expect(svstat(root)).toEqual({ db: true, extra: true });
  });
});

/** Pids of the s6-svscan processes running on `scan`, from /proc. */
const svscansOn = (scan: string): ReadonlyArray<number> =>
  fs.readdirSync("/proc").filter((e) => /^[0-9]+$/.test(e)).flatMap((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
      return argv[0]?.endsWith("s6-svscan") === true && argv[1] === scan && state !== "Z" ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });

describe("supervisor start", () => {
  it("eight at once leave exactly one s6-svscan, the one the pid file names", async () => {
    const root = tempRoot({ generations: [{ number: 1 }], current: 1, running: 1, booted: 1 });
    supervised.track(root);
    const results = await Promise.all(Array.from({ length: 8 }, () => sy(root, "supervisor", "start")));
    expect(results.map((r) => ({ code: r.code, stderr: r.stderr }))).toEqual(results.map(() => ({ code: 0, stderr: "" })));
    expect(results.filter((r) => r.stdout.startsWith("started s6-svscan"))).toHaveLength(1);
    expect(results.filter((r) => r.stdout.startsWith("already running"))).toHaveLength(7);
    const running = svscansOn(path.join(root, SCAN));
    expect(running).toHaveLength(1);
    expect(Number(readText(root, "/var/lib/switchyard/supervisor.pid")?.trim())).toBe(running[0]);
  });
});

describe("without a supervisor", () => {
  it("commands that need one fail with one line naming 'switchyard supervisor start'; status still answers", async () => {
    const root = tempRoot({ generations: [{ number: 1, services: [svc("db")] }], current: 1, running: 1, booted: 1 });
    const st = await sy(root, "status");
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/^Generation 1 is current; generation 1 is running\n/);
    expect(st.stdout).toContain("Services (s6):\n  (the service manager could not be asked: no s6-svscan is running on");
    expect(JSON.parse((await sy(root, "status", "--json")).stdout)).toMatchObject({ current: { generation: 1 }, services: null, servicesError: expect.stringContaining("run 'switchyard supervisor start'") });
    for (const args of [["plan", "switch", "1"], ["apply", "switch", "1", "--yes"]]) {
      const r = await sy(root, ...args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("no s6-svscan is running on");
      expect(r.stderr).toContain("run 'switchyard supervisor start'");
    }
    const stop = await sy(root, "supervisor", "stop");
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("not running");
  });
});

/**
 * Nothing outside the root, through the built binary. Every directory switchyard reads or writes
 * (boot/, boot/grub/, run/, the state, profile and scan directories, the journal) and every program
 * it runs (activation scripts, relative service programs) is resolved inside the root, component by
 * component; a link out of it is refused, naming the link. The directories it owns must be
 * disjoint, and programs must stay in their system directory. Each refusal: its exit code, one
 * line naming the thing, and nothing changed inside the root or in a sentinel directory outside it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as PlanFile from "../../packages/model/src/plan/PlanFile.js";
import { removeSnapshot } from "./faults-support.js";
import { fingerprint, linkOut, refusesUntouched, sentinel, stamped } from "./security-support.js";
import { Fixture, PROFILE_DIR, activations, cleanUp, host, ok, readLink, run, simpleRoot, systemOf, tempDir, tempRoot } from "./support.js";

afterAll(() => {
  cleanUp();
  removeSnapshot();
});

const Invalid = 2;
const Failed = 1;
const SWITCH = ["apply", "switch", "1", "--yes"];
const NEVER = "switchyard never follows a link out of its root";
/** The activation log is written by the fixture's scripts, which a reverted apply runs. */
const LOG = ["/var/log"];

describe.concurrent("a directory on the way that is a link out of the root is refused before anything is done", () => {
  it("boot/ pointing at a directory elsewhere (absolute link): apply, plan and list refuse, naming the link", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    linkOut(root, "/boot", outside.dir, path.join(outside.dir, "boot-was"));
    fs.renameSync(path.join(outside.dir, "boot-was"), path.join(outside.dir, "boot"));
    const message = `${host(root, "/boot")} resolves outside the root (to ${outside.dir}); ${NEVER}`;
    await refusesUntouched(root, outside, SWITCH, Invalid, message);
    await refusesUntouched(root, outside, ["plan", "switch", "1"], Invalid, message);
    await refusesUntouched(root, outside, ["list"], Invalid, message);
    expect(activations(root)).toEqual([]);
  });

  it("boot/grub/ climbing out with a relative link", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    const target = path.relative(host(root, "/boot"), path.join(outside.dir, "grub"));
    linkOut(root, "/boot/grub", target);
    await refusesUntouched(root, outside, SWITCH, Invalid, `${host(root, "/boot/grub")} resolves outside the root (to ${target}); ${NEVER}`);
  });

  it("grub.cfg itself a link to the host's boot menu", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    fs.symlinkSync(path.join(outside.dir, "grub/grub.cfg"), host(root, "/boot/grub/grub.cfg"));
    await refusesUntouched(root, outside, SWITCH, Invalid, `${host(root, "/boot/grub/grub.cfg")} resolves outside the root`);
  });

  it("run/ pointing elsewhere", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    fs.cpSync(host(root, "/run"), path.join(outside.dir, "run"), { recursive: true, verbatimSymlinks: true });
    linkOut(root, "/run", path.join(outside.dir, "run"));
    await refusesUntouched(root, outside, SWITCH, Invalid, `${host(root, "/run")} resolves outside the root`);
  });

  it("the state directory pointing elsewhere: every command refuses, none takes a lock or writes a journal there", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    fs.renameSync(host(root, "/var/lib/switchyard"), path.join(outside.dir, "switchyard"));
    fs.symlinkSync(path.join(outside.dir, "switchyard"), host(root, "/var/lib/switchyard"));
    const message = `${host(root, "/var/lib/switchyard")} resolves outside the root (to ${outside.dir}/switchyard); ${NEVER}`;
    for (const args of [SWITCH, ["apply", "delete", "1", "--yes"], ["recover"], ["add", systemOf(1)], ["list"]]) {
      await refusesUntouched(root, outside, args, Invalid, message);
    }
  });

  it("the profile directory pointing elsewhere (a profile of its own, outside the state directory)", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }], current: 2, running: 2, booted: 2, config: { profile: "/srv/profiles/system" } });
    const outside = sentinel();
    fs.mkdirSync(host(root, "/srv"));
    fs.renameSync(host(root, PROFILE_DIR), path.join(outside.dir, "profiles"));
    fs.symlinkSync(path.join(outside.dir, "profiles"), host(root, "/srv/profiles"));
    await refusesUntouched(root, outside, SWITCH, Invalid, `${host(root, "/srv/profiles")} resolves outside the root`);
  });

  it("a journal whose plan is a link to a file elsewhere: recover refuses it and runs nothing", async () => {
    const root = stamped(simpleRoot(2));
    const outside = sentinel();
    fs.mkdirSync(host(root, "/var/lib/switchyard/journal"));
    fs.writeFileSync(path.join(outside.dir, "plan.json"), "{}\n");
    fs.symlinkSync(path.join(outside.dir, "plan.json"), host(root, "/var/lib/switchyard/journal/plan.json"));
    fs.writeFileSync(host(root, "/var/lib/switchyard/journal/progress.json"), '{"phase":"forward","done":-1}\n');
    await refusesUntouched(root, outside, ["recover"], Invalid, `plan.json: cannot read ${host(root, "/var/lib/switchyard/journal/plan.json")}: ${host(root, "/var/lib/switchyard/journal/plan.json")} resolves outside the root`);
  });
});

describe.concurrent("a program that is a link out of the root is never run", () => {
  it("an activation script linked to a script elsewhere: the step fails, it is reverted, the script never ran", async () => {
    const root = stamped(simpleRoot(2));
    const outside = sentinel();
    const evil = path.join(outside.dir, "evil");
    fs.writeFileSync(evil, `#!/bin/sh\necho ran > ${outside.dir}/ran\n`, { mode: 0o755 });
    const script = host(root, `${systemOf(1)}/activate`);
    fs.rmSync(script);
    fs.symlinkSync(evil, script);
    const before = fingerprint(root, outside, LOG);
    const r = await run(root, ...SWITCH);
    expect(r.code, r.stderr).toBe(Failed);
    expect(r.stderr).toContain(`activate ${systemOf(1)} (switch) failed: cannot resolve ${script}: ${script} resolves outside the root (to ${evil}); ${NEVER}; it was not run`);
    expect(r.stderr).toContain("reverted: the previous generation is running again");
    expect(fs.existsSync(path.join(outside.dir, "ran")), "the script outside the root ran").toBe(false);
    expect(fingerprint(root, outside, LOG)).toEqual(before);
    expect(readLink(root, "/run/current-system")).toBe(systemOf(2));
  });
});

describe.concurrent("the directories switchyard owns must not overlap: refused when the settings are decoded", () => {
  const overlap = "the directories switchyard owns (state, profile, scan and boot) must not overlap: give it a directory of its own";

  it("a scan directory that is the state directory (config file): every command refuses before anything runs", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }], current: 2, running: 2, booted: 2, config: { scanDirectory: "/var/lib/switchyard" } });
    const outside = sentinel();
    const message = `scanDirectory: the scan directory /var/lib/switchyard is the state directory /var/lib/switchyard; ${overlap}`;
    await refusesUntouched(root, outside, SWITCH, Invalid, message);
    await refusesUntouched(root, outside, ["list"], Invalid, message);
    await refusesUntouched(root, outside, ["--service-manager", "s6", "supervisor", "start"], Invalid, message);
  });

  it("flags: a scan directory inside the profiles, a profile in the boot directory, a scan directory holding /run/current-system", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    await refusesUntouched(root, outside, [...SWITCH, "--scan-directory", "/var/lib/switchyard/profiles/s6"], Invalid,
      `scanDirectory: the scan directory /var/lib/switchyard/profiles/s6 lies inside the state directory /var/lib/switchyard; ${overlap}`);
    await refusesUntouched(root, outside, ["list", "--profile", "/boot/grub/system"], Invalid,
      `profile: the profile directory /boot/grub is the boot directory /boot/grub; ${overlap}`);
    await refusesUntouched(root, outside, ["plan", "switch", "1", "--scan-directory", "/run"], Invalid,
      `scanDirectory: the scan directory /run contains the running-system link /run/current-system; ${overlap}`);
  });

  it("a saved plan whose settings make them overlap (checksum recomputed) is refused when it is decoded", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    const file = path.join(tempDir(), "plan.json");
    await ok(root, "plan", "switch", "1", "--out", file);
    const plan = JSON.parse(fs.readFileSync(file, "utf8"));
    plan.settings.scanDirectory = "/var/lib/switchyard";
    fs.writeFileSync(file, JSON.stringify({ ...plan, checksum: PlanFile.checksumOf(plan) }));
    await refusesUntouched(root, outside, ["apply", "--plan", file, "--yes"], Invalid, `the scan directory /var/lib/switchyard is the state directory /var/lib/switchyard; ${overlap}`);
  });
});

describe.concurrent("programs and scripts stay inside their system directory", () => {
  const climbing = (field: string, program: string) => `${field}: '${program}' leaves the system directory; use a path inside it or an absolute one`;

  /** `add` lists every problem of the manifest under one headline; nothing is changed. */
  const addRefuses = async (root: string, outside: ReturnType<typeof sentinel>, system: string, problem: string) => {
    const before = fingerprint(root, outside);
    const r = await run(root, "add", system);
    expect(fingerprint(root, outside), r.stderr).toEqual(before);
    expect(r.code, r.stderr).toBe(Invalid);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines[0]).toBe(`switchyard: cannot add ${system}: its manifest has a problem; fix it and try again`);
    expect(lines.slice(1).some((l) => l.includes(problem)), r.stderr).toBe(true);
  };

  it("a relative start program climbing out with '..': plan and apply refuse (exit 2), naming the field", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }, { number: 3, services: [{ name: "db", start: ["bin/../../other/bin/db"] }] }], current: 2, running: 2, booted: 2 });
    const outside = sentinel();
    await refusesUntouched(root, outside, ["plan", "switch", "3"], Invalid, climbing("services[0].start", "bin/../../other/bin/db"));
    await refusesUntouched(root, outside, ["apply", "switch", "3", "--yes"], Invalid, climbing("services[0].start", "bin/../../other/bin/db"));
  });

  it("a stop or reload command climbing out: add refuses the system directory", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    Fixture.makeSystem(root, { number: 7, system: "/store/seven", services: [{ name: "db", start: ["bin/db"], stop: ["../six/bin/stop"] }] });
    Fixture.makeSystem(root, { number: 8, system: "/store/eight", services: [{ name: "db", start: ["bin/db"], reload: ["./../x"] }] });
    await addRefuses(root, outside, "/store/seven", climbing("services[0].stop", "../six/bin/stop"));
    await addRefuses(root, outside, "/store/eight", climbing("services[0].reload", "./../x"));
  });

  it("an activation script climbing out", async () => {
    const root = simpleRoot(2);
    const outside = sentinel();
    Fixture.makeSystem(root, { number: 9, system: "/store/nine", manifest: { schema: 1, label: "Nine", boot: { kernel: "kernel" }, activate: "bin/../../evil" } });
    await addRefuses(root, outside, "/store/nine", climbing("activate", "bin/../../evil"));
  });
});

describe("s6: a service program that is a link out of the root is never started", () => {
  it("a relative start program linked to a program elsewhere: the start fails, the switch is reverted, the program never ran", { timeout: 60_000 }, async () => {
    const root = stamped(tempRoot({ generations: [{ number: 1 }, { number: 2, services: [{ name: "db", start: ["bin/db"] }] }], current: 1, running: 1, booted: 1 }));
    const outside = sentinel();
    const evil = path.join(outside.dir, "evil");
    fs.writeFileSync(evil, `#!/bin/sh\necho ran > ${outside.dir}/ran\nexec sleep 1000\n`, { mode: 0o755 });
    fs.mkdirSync(host(root, `${systemOf(2)}/bin`));
    fs.symlinkSync(evil, host(root, `${systemOf(2)}/bin/db`));
    const s6 = ["--service-manager", "s6"];
    await ok(root, ...s6, "supervisor", "start");
    try {
      // The supervisor's own files change as it runs; everything else must not.
      const running = ["/var/log", "/run/switchyard", "/var/lib/switchyard/supervisor.log"];
      const before = fingerprint(root, outside, running);
      const r = await run(root, ...s6, "apply", "switch", "2", "--yes");
      expect(r.code, r.stderr).toBe(Failed);
      const program = host(root, `${systemOf(2)}/bin/db`);
      expect(r.stderr).toContain(`the start program of db: cannot resolve ${program}: ${program} resolves outside the root (to ${evil}); ${NEVER}; it was not started`);
      expect(r.stderr).toContain("reverted");
      expect(fs.existsSync(path.join(outside.dir, "ran")), "the program outside the root ran").toBe(false);
      expect(fingerprint(root, outside, running)).toEqual(before);
      expect(fs.readdirSync(host(root, "/run/switchyard/services")).filter((n) => !n.startsWith("."))).toEqual([]);
    } finally {
      await run(root, ...s6, "supervisor", "stop");
    }
  });
});

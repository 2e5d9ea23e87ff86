/**
 * Saved plans end to end: `apply --plan FILE` runs with the settings recorded in the plan and no
 * others (a real s6 supervisor is driven with no flag at all; a flag that contradicts the plan is
 * a usage error; the config file is not read), refuses a plan whose observation of the running
 * services no longer holds, and runs only what a fresh plan for the same request would run: an
 * edited step is refused even with its checksum computed again, and nothing in the root changes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as PlanFile from "../../packages/model/src/plan/PlanFile.js";
import {
  cleanUp,
  expectError,
  host,
  linkOf,
  ok,
  PROFILE,
  readLink,
  readText,
  run,
  type Result,
  simpleRoot,
  systemOf,
  tempDir,
  tempRoot,
  treeHash,
} from "./support.js";

const SCAN = "/run/switchyard/services";
const GRUB = "/boot/grub/grub.cfg";
const Invalid = 2;
const Stale = 3;

/** Each service appends "start NAME GEN" to /var/log/services when it starts (GEN says whose code runs), then sleeps. */
const installPrograms = (root: string, n: number) => {
  const bin = path.join(root, systemOf(n), "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "svc"), `#!/bin/sh\necho "start $1 ${n}" >> ../../var/log/services\nexec sleep 1000\n`, { mode: 0o755 });
};

const svc = (name: string, version: string) => ({ name, start: ["bin/svc", name], env: { V: version } });

const startedAs = (root: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const line of (readText(root, "/var/log/services") ?? "").split("\n")) {
    const [what, name, gen] = line.split(" ");
    if (what === "start" && name !== undefined) out[name] = Number(gen);
  }
  return out;
};

/** What s6 itself says: name -> up?, for every service directory in the scan directory. */
const svstat = (root: string): Record<string, boolean> => {
  const scan = host(root, SCAN);
  const out: Record<string, boolean> = {};
  for (const name of fs.readdirSync(scan).filter((n) => !n.startsWith("."))) {
    out[name] = spawnSync("s6-svstat", ["-o", "up", path.join(scan, name)], { encoding: "utf8" }).stdout.trim() === "true";
  }
  return out;
};

const saved = (): string => path.join(tempDir(), "plan.json");

/** A refusal with nothing changed in the root (the service log and s6's own state aside). */
const refusesUnchanged = async (root: string, args: ReadonlyArray<string>, code: number, message: string | RegExp): Promise<Result> => {
  const exclude = ["/var/log", "/run/switchyard"];
  const before = treeHash(root, { exclude });
  const r = await run(root, ...args);
  expectError(r, code, message);
  expect(treeHash(root, { exclude })).toBe(before);
  return r;
};

describe("a plan made under s6", () => {
  let root = "";
  beforeAll(async () => {
    root = tempRoot({
      generations: [
        { number: 1, services: [svc("web", "1"), svc("db", "1")] },
        { number: 2, services: [svc("web", "2"), svc("db", "2"), svc("new", "2")] },
      ],
      current: 1,
      running: 1,
      booted: 1,
    });
    for (const n of [1, 2]) installPrograms(root, n);
    fs.mkdirSync(host(root, "/var/log"), { recursive: true });
    await ok(root, "supervisor", "start");
    await ok(root, "apply", "switch", "1", "--service-manager", "s6", "--yes");
    expect(svstat(root)).toEqual({ db: true, web: true });
  });

  afterAll(async () => {
    const r = await run(root, "supervisor", "stop");
    const pid = readText(root, "/var/lib/switchyard/supervisor.pid");
    if (r.code !== 0 && pid !== null) {
      spawnSync("s6-svscanctl", ["-t", host(root, SCAN)]);
      try {
        process.kill(Number(pid.trim()), "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    cleanUp();
  });

  it("records its settings; a flag that contradicts them is a usage error naming the flag and the plan's value", async () => {
    const file = saved();
    await ok(root, "plan", "switch", "2", "--service-manager", "s6", "--out", file);
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(doc.settings).toMatchObject({ serviceManager: "s6", scanDirectory: SCAN, bootloader: "grub", bootConfig: GRUB, profile: PROFILE, activationTimeoutMs: 300_000 });
    expect(doc.preconditions.services.map(([name]: [string]) => name)).toEqual(["db", "web"]);
    const apply = (...flags: ReadonlyArray<string>) => ["apply", "--plan", file, "--yes", ...flags];
    await refusesUnchanged(root, apply("--service-manager", "none"), Invalid, "--service-manager none contradicts the plan, which runs with --service-manager s6");
    await refusesUnchanged(root, apply("--scan-directory", "/run/elsewhere"), Invalid, `--scan-directory /run/elsewhere contradicts the plan, which runs with --scan-directory ${SCAN}`);
    await refusesUnchanged(root, apply("--activation-timeout", "7"), Invalid, "--activation-timeout 7 contradicts the plan, which runs with --activation-timeout 300");
    await refusesUnchanged(root, apply("--profile", "/var/lib/other/system"), Invalid, `--profile /var/lib/other/system contradicts the plan, which runs with --profile ${PROFILE}`);
    await refusesUnchanged(root, apply("--bootloader", "none"), Invalid, "--bootloader none contradicts the plan, which runs with --bootloader grub");
    await refusesUnchanged(root, apply("--mode", "test"), Invalid, "--mode test contradicts the plan, which runs with --mode switch");
    expect(startedAs(root)).toEqual({ db: 1, web: 1 });
  });

  it("apply --plan FILE with no flags drives s6: the target's services really start", async () => {
    const file = saved();
    await ok(root, "plan", "switch", "2", "--service-manager", "s6", "--out", file);
    const r = await ok(root, "apply", "--plan", file, "--yes");
    expect(r.stdout).not.toContain("recorded, not executed");
    expect(r.stdout).toContain("switched from generation 1 to 2");
    expect(svstat(root)).toEqual({ db: true, new: true, web: true });
    expect(startedAs(root)).toEqual({ db: 2, new: 2, web: 2 });
    expect(readLink(root, PROFILE)).toBe("system-2-link");
  });

  it("repeating the plan's own values is accepted", async () => {
    const file = saved();
    await ok(root, "plan", "switch", "1", "--service-manager", "s6", "--out", file);
    await ok(root, "apply", "--plan", file, "--yes", "--service-manager", "s6", "--scan-directory", `${SCAN}/`, "--activation-timeout", "300", "--mode", "switch");
    expect(svstat(root)).toEqual({ db: true, web: true });
    expect(startedAs(root)).toEqual({ db: 1, new: 2, web: 1 });
  });

  it("is stale once a service it saw up was stopped by hand, naming the service", async () => {
    const file = saved();
    await ok(root, "plan", "switch", "2", "--service-manager", "s6", "--out", file);
    expect(spawnSync("s6-svc", ["-wD", "-T", "5000", "-d", host(root, `${SCAN}/web`)]).status).toBe(0);
    await refusesUnchanged(root, ["apply", "--plan", file, "--yes"], Stale, "the plan is stale: service web is no longer up (the plan expected it up on revision ");
    expect(readLink(root, PROFILE)).toBe("system-1-link");
  });
});

describe("a saved plan is a reviewed proposal, not a capability", () => {
  afterAll(cleanUp);

  /** The saved document with `change` applied and its checksum computed again, as anyone could. */
  const reseal = (file: string, change: (doc: Record<string, unknown> & { steps: Array<Record<string, unknown>> }) => void) => {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    change(doc);
    const { checksum: _, ...body } = doc;
    fs.writeFileSync(file, JSON.stringify({ ...body, checksum: PlanFile.checksumOf(body) }));
  };

  it("an edited step with its checksum computed again is refused (exit 3, the step and both descriptions) and nothing changes", async () => {
    const root = simpleRoot(2);
    const file = saved();
    await ok(root, "plan", "switch", "1", "--out", file);
    const steps = (JSON.parse(fs.readFileSync(file, "utf8")) as { steps: Array<{ _tag: string; path?: string }> }).steps;
    const i = steps.findIndex((s) => s._tag === "WriteFile" && s.path === GRUB);
    reseal(file, (doc) => {
      (doc.steps[i] as Record<string, unknown>).path = "/etc/owned";
    });
    const r = await refusesUnchanged(root, ["apply", "--plan", file, "--yes"], Stale, `step ${i + 1} is 'write /etc/owned (`);
    expect(r.stderr).toMatch(/in the saved plan but 'write \/boot\/grub\/grub\.cfg \(\d+ bytes\)' in a fresh plan; compute it again with 'switchyard plan'/);
    expect(fs.existsSync(host(root, "/etc/owned"))).toBe(false);
  });

  it("an added step that runs a program is refused the same way", async () => {
    const root = simpleRoot(2);
    const file = saved();
    await ok(root, "plan", "switch", "1", "--out", file);
    let n = 0;
    reseal(file, (doc) => {
      doc.steps.push({ _tag: "RunActivation", system: systemOf(3), script: `${systemOf(3)}/activate`, action: "switch" });
      n = doc.steps.length;
    });
    await refusesUnchanged(root, ["apply", "--plan", file, "--yes"], Stale, `step ${n} is 'activate ${systemOf(3)} (switch)' in the saved plan but no step in a fresh plan`);
  });

  it("an edit without a new checksum is refused as modified (exit 2)", async () => {
    const root = simpleRoot(2);
    const file = saved();
    await ok(root, "plan", "switch", "1", "--out", file);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"mode": "switch"', '"mode": "boot"'));
    await refusesUnchanged(root, ["apply", "--plan", file, "--yes"], Invalid, `${file}: checksum: the plan was modified after it was computed`);
  });

  it("a plan of another format version is refused naming both versions (exit 2)", async () => {
    const root = simpleRoot(2);
    const file = saved();
    await ok(root, "plan", "switch", "1", "--out", file);
    reseal(file, (doc) => {
      doc.version = 2;
    });
    await refusesUnchanged(root, ["apply", "--plan", file, "--yes"], Invalid, "the plan has format version 2, but this switchyard reads version 3");
  });

  it("runs with the settings it was made with: a config file changed or broken since is not read", async () => {
    const root = simpleRoot(2, { config: { timeout: 3 } });
    const file = saved();
    await ok(root, "plan", "switch", "1", "--out", file);
    fs.writeFileSync(host(root, "/etc/switchyard/config.json"), '{"timeout": 9,');
    await ok(root, "apply", "--plan", file, "--yes");
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(readText(root, GRUB)).toContain("set timeout=3");
  });
});

describe("saved boot plans", () => {
  afterAll(cleanUp);
  const SD = ["--bootloader", "systemd-boot", "--esp", "/efi"];
  const entries = (root: string): ReadonlyArray<string> => fs.readdirSync(host(root, "/efi/loader/entries")).sort();

  it("record the bootloader, the ESP and the menu limit; a contradicting --esp or --bootloader is refused, the plan's own accepted", async () => {
    const root = simpleRoot(3, { config: { boot: { menuLimit: 2 } } });
    await ok(root, ...SD, "apply", "switch", "3", "--yes");
    const file = saved();
    await ok(root, ...SD, "plan", "switch", "2", "--try", "2", "--out", file);
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(doc.settings).toMatchObject({ bootloader: "systemd-boot", boot: { esp: "/efi", menuLimit: 2 } });
    expect([doc.mode, doc.attempts]).toEqual(["try", 2]);
    const apply = (...flags: ReadonlyArray<string>) => ["apply", "--plan", file, "--yes", ...flags];
    await refusesUnchanged(root, apply("--esp", "/boot"), Invalid, "--esp /boot contradicts the plan, which runs with --esp /efi");
    await refusesUnchanged(root, apply("--bootloader", "grub"), Invalid, "--bootloader grub contradicts the plan, which runs with --bootloader systemd-boot");
    await refusesUnchanged(root, apply("--try", "3"), Invalid, "--try 3 contradicts the plan, which runs with --try 2");
    await refusesUnchanged(root, apply("--layout", "nix"), Invalid, `--layout nix contradicts the plan, which runs with --profile ${PROFILE}`);
    // The plan's own values, and no config file: the menu limit comes from the plan.
    fs.writeFileSync(host(root, "/etc/switchyard/config.json"), '{"boot": {"menuLimit": 100}}');
    await ok(root, ...apply("--esp", "/efi/", "--try", "2", "--mode", "try"));
    expect(entries(root)).toEqual(["switchyard-2+2.conf", "switchyard-3.conf"]);
    expect(readLink(root, PROFILE)).toBe("system-3-link");
  });

  it("a trial plan is stale once the loader has counted an attempt (every boot file is in the digest)", async () => {
    const root = simpleRoot(3);
    await ok(root, ...SD, "apply", "switch", "3", "--yes");
    const file = saved();
    await ok(root, ...SD, "plan", "switch", "1", "--out", file);
    await ok(root, ...SD, "apply", "switch", "1", "--try", "2", "--yes");
    fs.renameSync(host(root, "/efi/loader/entries/switchyard-1+2.conf"), host(root, "/efi/loader/entries/switchyard-1+1-1.conf"));
    await refusesUnchanged(root, ["apply", "--plan", file, "--yes"], Stale, "the plan is stale: the boot config changed since the plan was computed");
  });

  it("a delete saved before a pin is refused (exit 3) once the generation is pinned, and nothing is deleted", async () => {
    const root = simpleRoot(3);
    const file = saved();
    await ok(root, "plan", "delete", "1", "--out", file);
    await ok(root, "pin", "1");
    await refusesUnchanged(root, ["apply", "--plan", file, "--yes"], Stale, "the plan is stale: the pinned generations are now 1 (the plan expected none)");
    expect(readLink(root, linkOf(1))).toBe(systemOf(1));
    await ok(root, "unpin", "1");
    await ok(root, "apply", "--plan", file, "--yes");
    expect(readLink(root, linkOf(1))).toBeNull();
  });
});

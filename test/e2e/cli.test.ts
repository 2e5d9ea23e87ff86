/**
 * The happy paths, as a user runs them: the built `switchyard` binary on a temp root made by
 * scripts/fixture.mjs, checked through what it prints and what it leaves on disk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DAY_MS,
  Fixture,
  PROFILE,
  REPO,
  activations,
  cleanUp,
  exists,
  generationNumbers,
  host,
  linkOf,
  ok,
  readLink,
  readText,
  run,
  simpleRoot,
  systemOf,
  tempDir,
  tempRoot,
  treeHash,
} from "./support.js";

afterAll(cleanUp);

const GRUB = "/boot/grub/grub.cfg";
const CURRENT_SYSTEM = "/run/current-system";
/** Generation N of the list tests is created at 2024-01-0N 12:30 UTC. */
const createdAt = (n: number): number => Date.UTC(2024, 0, n, 12, 30);
/** The grub.cfg menu entries' generation numbers, in menu order. */
const menu = (root: string): ReadonlyArray<number> => [...(readText(root, GRUB) ?? "").matchAll(/--id switchyard-([0-9]+) /g)].map((m) => Number(m[1]));
const profileLinkMtime = (root: string): bigint => fs.lstatSync(host(root, PROFILE), { bigint: true }).mtimeNs;

const demoRoot = () =>
  tempRoot({
    generations: Fixture.demoGenerations().map((g) => ({ ...g, createdMs: createdAt(g.number) })),
    current: 3,
    running: 3,
    booted: 3,
  });

describe.concurrent("list", () => {
  const root = demoRoot();

  it("prints the generations as a table, marking current, running and booted", async () => {
    const r = await ok(root, "list");
    expect(r.stdout).toBe(
      [
        "Generation  Created              Label",
        "         1  2024-01-01 12:30:00  Example OS 24.05 (Linux 6.6.30)",
        "         2  2024-01-02 12:30:00  Example OS 24.11 (Linux 6.8.9)",
        "         3  2024-01-03 12:30:00  Example OS 24.11 (Linux 6.8.12)  current, running, booted",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
  });

  it("prints one JSON document with the generations ascending", async () => {
    const r = await ok(root, "list", "--json");
    const entry = (n: number, label: string, mine: boolean) => ({
      number: n,
      created: new Date(createdAt(n)).toISOString(),
      label,
      system: systemOf(n),
      current: mine,
      running: mine,
      booted: mine,
      pinned: false,
    });
    expect(JSON.parse(r.stdout)).toEqual({
      generations: [
        entry(1, "Example OS 24.05 (Linux 6.6.30)", false),
        entry(2, "Example OS 24.11 (Linux 6.8.9)", false),
        entry(3, "Example OS 24.11 (Linux 6.8.12)", true),
      ],
    });
    expect(JSON.parse(r.stdout).generations[0].created).toBe("2024-01-01T12:30:00.000Z");
  });

  it("keeps the written order of a comma list, in the table and in JSON", async () => {
    expect((await ok(root, "list", "3,1")).stdout.split("\n").slice(1, 3).map((l) => l.trim().split(" ")[0])).toEqual(["3", "1"]);
    expect(JSON.parse((await ok(root, "list", "3,1,3", "--json")).stdout).generations.map((g: { number: number }) => g.number)).toEqual([3, 1]);
  });

  it("selects by range and by age", async () => {
    const numbers = async (...args: Array<string>) =>
      JSON.parse((await ok(root, "list", ...args, "--json")).stdout).generations.map((g: { number: number }) => g.number);
    expect(await numbers("2..")).toEqual([2, 3]);
    expect(await numbers("..2")).toEqual([1, 2]);
    expect(await numbers("1..2")).toEqual([1, 2]);
    const recent = tempRoot({
      generations: [{ number: 1, createdMs: Date.now() - 10 * DAY_MS }, { number: 2, createdMs: Date.now() - 2 * DAY_MS }, { number: 3 }],
      current: 3,
    });
    expect(JSON.parse((await ok(recent, "list", "3d", "--json")).stdout).generations.map((g: { number: number }) => g.number)).toEqual([2, 3]);
  });

  it("changes nothing on disk", async () => {
    const before = treeHash(root);
    await ok(root, "list");
    await ok(root, "describe", "--json");
    await ok(root, "plan", "switch", "1", "--json");
    expect(treeHash(root)).toBe(before);
  });
});

describe.concurrent("describe", () => {
  const root = demoRoot();
  const system = systemOf(3);

  it("describes the current generation: boot entry, activation, services", async () => {
    const r = await ok(root, "describe");
    expect(r.stdout).toContain("Generation 3 (current, running, booted)");
    expect(r.stdout).toContain("  created   2024-01-03 12:30:00");
    expect(r.stdout).toContain(`  system    ${system}`);
    expect(r.stdout).toContain("  label     Example OS 24.11 (Linux 6.8.12)");
    expect(r.stdout).toContain(`  boot      linux ${system}/kernel quiet switchyard.system=${system}`);
    expect(r.stdout).toContain(`            initrd ${system}/initrd`);
    expect(r.stdout).toContain(`  activate  ${system}/activate`);
    expect(r.stdout).toContain("  services  3");
    expect(r.stdout).toContain("    web (requires db): /bin/sleep infinity");
  });

  it("--json gives the same as one document", async () => {
    const doc = JSON.parse((await ok(root, "describe", "--json")).stdout);
    expect(doc).toMatchObject({
      number: 3,
      created: "2024-01-03T12:30:00.000Z",
      label: "Example OS 24.11 (Linux 6.8.12)",
      system,
      current: true,
      running: true,
      booted: true,
      boot: { kernel: `${system}/kernel`, initrd: `${system}/initrd`, params: ["quiet"] },
      activate: `${system}/activate`,
      runningGeneration: 3,
    });
    expect(doc.services.map((s: { name: string }) => s.name)).toEqual(["db", "web", "cache"]);
    expect(doc.services[1]).toMatchObject({ name: "web", requires: ["db"], start: ["/bin/sleep", "infinity"] });
  });
});

describe.concurrent("add", () => {
  it("registers a system directory as max+1 without switching to it", async () => {
    const root = simpleRoot(3);
    const system = Fixture.makeSystem(root, { number: 7, label: "New build" });
    const running = readLink(root, CURRENT_SYSTEM);
    const r = await ok(root, "add", system);
    expect(r.stdout).toBe(`added generation 4: ${host(root, linkOf(4))} -> ${system}\n`);
    expect(readLink(root, linkOf(4))).toBe(system);
    expect(readLink(root, PROFILE)).toBe("system-3-link");
    expect(readLink(root, CURRENT_SYSTEM)).toBe(running);
    expect(activations(root)).toEqual([]);
    // The boot menu offers it under "Older generations"; the default stays.
    expect(menu(root)).toEqual([3, 4, 2, 1]);
    const listed = JSON.parse((await ok(root, "list", "4", "--json")).stdout).generations[0];
    expect(listed).toMatchObject({ number: 4, label: "New build", system, current: false, running: false });
    // The new link's mtime is its creation time.
    expect(Math.abs(Date.parse(listed.created) - Date.now())).toBeLessThan(60_000);
  });

  it("takes a relative SYSTEM_DIR from the working directory (inside the root)", async () => {
    const root = simpleRoot(3);
    const system = Fixture.makeSystem(root, { number: 8 });
    const r = await run(root, "add", path.relative(REPO, host(root, system)));
    expect(r.code, r.stderr).toBe(0);
    expect(readLink(root, linkOf(4))).toBe(system);
  });

  it("numbers max+1 after a rollback, never current+1", async () => {
    const root = simpleRoot(3);
    await ok(root, "apply", "rollback", "--yes");
    expect(readLink(root, PROFILE)).toBe("system-2-link");
    const system = Fixture.makeSystem(root, { number: 9 });
    await ok(root, "add", system);
    expect(readLink(root, linkOf(3))).toBe(systemOf(3));
    expect(readLink(root, linkOf(4))).toBe(system);
    expect(readLink(root, PROFILE)).toBe("system-2-link");
  });

  it("adding the same directory twice does nothing the second time, and says so", async () => {
    const root = simpleRoot(3);
    const system = Fixture.makeSystem(root, { number: 10 });
    await ok(root, "add", system);
    const before = treeHash(root);
    const r = await ok(root, "add", system);
    expect(r.stdout).toContain(`generation 4 already points to ${system}; nothing added`);
    expect(treeHash(root)).toBe(before);
    expect(generationNumbers(root)).toEqual([1, 2, 3, 4]);
  });

  it("after add and switch, rollback returns to the previous generation", async () => {
    const root = simpleRoot(3);
    const system = Fixture.makeSystem(root, { number: 11 });
    await ok(root, "add", system);
    await ok(root, "apply", "switch", "4", "--yes");
    expect(readLink(root, PROFILE)).toBe("system-4-link");
    expect(readLink(root, CURRENT_SYSTEM)).toBe(system);
    const r = await ok(root, "apply", "rollback", "--yes");
    expect(r.stdout).toContain("switched from generation 4 to 3");
    expect(readLink(root, PROFILE)).toBe("system-3-link");
    expect(readLink(root, CURRENT_SYSTEM)).toBe(systemOf(3));
    expect(menu(root)[0]).toBe(3);
  });
});

describe.concurrent("plan", () => {
  const root = demoRoot();

  it("shows the whole transition as text, and changes nothing", async () => {
    const before = treeHash(root);
    const r = await ok(root, "plan", "switch", "2");
    expect(r.stdout).toContain("Plan: switch from generation 3 to 2 (mode switch)");
    expect(r.stdout).toMatch(/^Services:\n {2}- {3}cache {2}not in generation 2\n {2}-\/\+ db {5}changed: env\n {2}-\/\+ web {4}requires db, which stops\n/m);
    expect(r.stdout).toMatch(/default generation 3 (→|->) 2 \(after the commit\); entries 2, 3, 1/);
    expect(r.stdout).toContain("\n3 to stop, 2 to start.\n");
    expect(r.stdout).toContain("13 steps (list them with --steps); if one fails before the commit, 7 revert steps bring back generation 3.");
    // The numbered steps only with --steps.
    expect(r.stdout).not.toContain("commit: make it permanent");
    expect(treeHash(root)).toBe(before);
  });

  it("--steps lists every step and revert step", async () => {
    const r = await ok(root, "plan", "switch", "2", "--steps");
    expect(r.stdout).toContain(`link /run/current-system -> ${systemOf(2)}`);
    expect(r.stdout).toContain("commit: make it permanent");
    expect(r.stdout).toContain("link /var/lib/switchyard/profiles/system -> system-2-link");
    expect(r.stdout).toContain("write /boot/grub/grub.cfg");
    expect(r.stdout).toContain("If a step before the commit fails, these steps put the running system back:");
  });

  it("--json is the plan document: operation, from, to, delete, boot, services, steps", async () => {
    const plan = JSON.parse((await ok(root, "plan", "switch", "2", "--json")).stdout);
    expect(plan).toMatchObject({
      operation: { _tag: "Switch", spec: "2" },
      mode: "switch",
      from: 3,
      to: 2,
      delete: [],
      boot: { default: 2, entries: [2, 3, 1] },
      services: { stop: ["cache", "db", "web"], start: ["db", "web"], restart: [], reload: [], skip: [], unchanged: [] },
    });
    expect(plan.steps.map((s: { _tag: string }) => s._tag)).toEqual([
      "StopService",
      "StopService",
      "StopService",
      "ReplaceSymlink",
      "RunActivation",
      "StartService",
      "StartService",
      "CheckLink",
      "CheckLink",
      "CheckLink",
      "Commit",
      "ReplaceSymlink",
      "WriteFile",
    ]);
    expect(plan.steps.find((s: { _tag: string }) => s._tag === "RunActivation")).toMatchObject({ system: systemOf(2), script: `${systemOf(2)}/activate` });
  });

  it("--json for test mode has no boot summary, for delete the generations it removes", async () => {
    const test = JSON.parse((await ok(root, "plan", "switch", "-1", "--mode", "test", "--json")).stdout);
    expect(test).toMatchObject({ operation: { _tag: "Switch", spec: "-1" }, mode: "test", from: 3, to: 2, boot: null });
    expect(test.steps.map((s: { _tag: string }) => s._tag)).not.toContain("WriteFile");
    const rollback = JSON.parse((await ok(root, "plan", "rollback", "--json")).stdout);
    expect(rollback).toMatchObject({ operation: { _tag: "Rollback" }, from: 3, to: 2 });
    const del = JSON.parse((await ok(root, "plan", "delete", "1", "--json")).stdout);
    expect(del).toMatchObject({ operation: { _tag: "Delete", pattern: "1" }, delete: [1], boot: { default: 3, entries: [3, 2] } });
    expect(del.steps.map((s: { _tag: string }) => s._tag)).toEqual(["Commit", "WriteFile", "RemoveLink"]);
  });

  it("plan --out saves the plan; apply --plan carries it out", async () => {
    const r2 = demoRoot();
    const file = path.join(tempDir(), "switch-1.json");
    const shown = await ok(r2, "plan", "switch", "1", "--out", file);
    expect(shown.stdout).toContain(`Saved to ${file}; carry it out with 'switchyard apply --plan ${file}'.`);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual(JSON.parse((await ok(r2, "plan", "switch", "1", "--json")).stdout));
    const applied = await ok(r2, "apply", "--plan", file, "--yes");
    expect(applied.stdout).toContain("switched from generation 3 to 1");
    expect(readLink(r2, PROFILE)).toBe("system-1-link");
    expect(readLink(r2, CURRENT_SYSTEM)).toBe(systemOf(1));
    expect(menu(r2)[0]).toBe(1);
    expect(exists(r2, "/var/lib/switchyard/lock")).toBe(false);
  });
});

describe.concurrent("apply --mode", () => {
  /** A root that switchyard has already written grub.cfg for, on generation 3. */
  const managedRoot = async () => {
    const root = simpleRoot(3);
    await ok(root, "apply", "switch", "3", "--yes");
    expect(readText(root, GRUB)).not.toBeNull();
    return root;
  };

  it("switch: moves the profile, /run/current-system and the boot default, and activates", async () => {
    const root = await managedRoot();
    const r = await ok(root, "apply", "switch", "1", "--mode", "switch", "--yes");
    expect(r.stdout).toContain("switched from generation 3 to 1");
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(readLink(root, CURRENT_SYSTEM)).toBe(systemOf(1));
    expect(menu(root)).toEqual([1, 3, 2]);
    expect(readText(root, GRUB)).toContain("set default=0");
    expect(activations(root)).toEqual([`switch ${systemOf(1)}`]);
    expect(r.stderr).toContain(`  | activated ${systemOf(1)} (switch)`);
  });

  it("boot: moves the profile and the boot default only; nothing runs", async () => {
    const root = await managedRoot();
    const running = fs.lstatSync(host(root, CURRENT_SYSTEM), { bigint: true });
    const r = await ok(root, "apply", "switch", "1", "--mode", "boot", "--yes");
    expect(r.stdout).toContain("generation 1 will be used from the next boot");
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(menu(root)[0]).toBe(1);
    expect(readLink(root, CURRENT_SYSTEM)).toBe(systemOf(3));
    const after = fs.lstatSync(host(root, CURRENT_SYSTEM), { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([running.ino, running.mtimeNs]);
    expect(activations(root)).toEqual([]);
  });

  it("test: moves /run/current-system and activates; the profile and grub.cfg stay", async () => {
    const root = await managedRoot();
    const grub = readText(root, GRUB);
    const profileMtime = profileLinkMtime(root);
    const r = await ok(root, "apply", "switch", "1", "--mode", "test", "--yes");
    expect(r.stdout).toContain("generation 1 is running; the boot default is unchanged");
    expect(readLink(root, CURRENT_SYSTEM)).toBe(systemOf(1));
    // The activation script is told the real mode.
    expect(activations(root)).toEqual([`test ${systemOf(1)}`]);
    expect(readLink(root, PROFILE)).toBe("system-3-link");
    expect(profileLinkMtime(root)).toBe(profileMtime);
    expect(readText(root, GRUB)).toBe(grub);
    const listed = JSON.parse((await ok(root, "list", "--json")).stdout).generations;
    expect(listed.map((g: { number: number; current: boolean; running: boolean }) => [g.number, g.current, g.running])).toEqual([
      [1, false, true],
      [2, false, false],
      [3, true, false],
    ]);
  });

  it("rollback takes the modes too", async () => {
    const tested = await managedRoot();
    await ok(tested, "apply", "rollback", "--mode", "test", "--yes");
    expect([readLink(tested, PROFILE), readLink(tested, CURRENT_SYSTEM), menu(tested)[0]]).toEqual(["system-3-link", systemOf(2), 3]);
    const booted = await managedRoot();
    await ok(booted, "apply", "rollback", "--mode", "boot", "--yes");
    expect([readLink(booted, PROFILE), readLink(booted, CURRENT_SYSTEM), menu(booted)[0]]).toEqual(["system-2-link", systemOf(3), 2]);
    expect(activations(booted)).toEqual([]);
  });
});

describe.concurrent("delete", () => {
  it("removes the links and regenerates grub.cfg at once", async () => {
    const root = simpleRoot(3);
    await ok(root, "apply", "switch", "3", "--yes");
    expect(menu(root)).toEqual([3, 2, 1]);
    const r = await ok(root, "apply", "delete", "1", "--yes");
    expect(r.stdout).toContain("deleted generation 1");
    expect(generationNumbers(root)).toEqual([2, 3]);
    expect(menu(root)).toEqual([3, 2]);
    expect(readText(root, GRUB)).not.toContain(systemOf(1));
    expect(readLink(root, PROFILE)).toBe("system-3-link");
  });

  it("a duration deletes what is older, keeping the newest of those (in use at the cut-off)", async () => {
    const now = Date.now();
    const root = tempRoot({
      generations: [
        { number: 1, createdMs: now - 40 * DAY_MS },
        { number: 2, createdMs: now - 20 * DAY_MS },
        { number: 3, createdMs: now - 10 * DAY_MS },
        { number: 4, createdMs: now - 1 * DAY_MS },
      ],
      current: 4,
      running: 4,
      booted: 4,
    });
    expect(JSON.parse((await ok(root, "plan", "delete", "15d", "--json")).stdout).delete).toEqual([1]);
    await ok(root, "apply", "delete", "15d", "--yes");
    expect(generationNumbers(root)).toEqual([2, 3, 4]);
    // Older than 5 days: 2 and 3; 3 was in use 5 days ago, so it stays.
    await ok(root, "apply", "delete", "5d", "--yes");
    expect(generationNumbers(root)).toEqual([3, 4]);
  });

  it("+N keeps the newest N up to the current one; newer ones are not touched", async () => {
    const root = tempRoot({ generations: [1, 2, 3, 4, 5].map((number) => ({ number })), current: 3, running: 3, booted: 3 });
    const r = await ok(root, "apply", "delete", "+2", "--yes");
    expect(r.stdout).toContain("deleted generation 1");
    expect(generationNumbers(root)).toEqual([2, 3, 4, 5]);
  });

  it("'old' deletes all but the current generation, and is the default pattern", async () => {
    const explicit = simpleRoot(2);
    const implicit = simpleRoot(2);
    expect(JSON.parse((await ok(implicit, "plan", "delete", "--json")).stdout)).toMatchObject({ operation: { _tag: "Delete", pattern: null }, delete: [1, 3] });
    await ok(explicit, "apply", "delete", "old", "--yes");
    await ok(implicit, "apply", "delete", "--yes");
    expect(generationNumbers(explicit)).toEqual([2]);
    expect(generationNumbers(implicit)).toEqual([2]);
    expect(menu(implicit)).toEqual([2]);
  });

  it("never removes the booted generation", async () => {
    const root = simpleRoot(3, { booted: 1 });
    const r = await ok(root, "apply", "delete", "old", "--yes");
    expect(r.stdout).toContain("warning: not removing generation 1, which is booted");
    expect(generationNumbers(root)).toEqual([1, 3]);
  });
});

describe.concurrent("settings", () => {
  it("the timeout of config.json survives every regeneration of grub.cfg", async () => {
    const root = simpleRoot(3, { config: { timeout: 17 } });
    await ok(root, "apply", "switch", "1", "--yes");
    expect(readText(root, GRUB)).toContain("set timeout=17\n");
    await ok(root, "apply", "delete", "2", "--yes");
    expect(readText(root, GRUB)).toContain("set timeout=17\n");
    await ok(root, "apply", "switch", "3", "--yes");
    expect(readText(root, GRUB)).toContain("set timeout=17\n");
  });

  it("--bootloader none writes no grub.cfg", async () => {
    const root = simpleRoot(3);
    const r = await ok(root, "apply", "switch", "1", "--bootloader", "none", "--yes");
    expect(r.stdout).not.toContain("grub.cfg");
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(exists(root, GRUB)).toBe(false);
    await ok(root, "apply", "delete", "2", "--bootloader", "none", "--yes");
    expect(exists(root, GRUB)).toBe(false);
  });

  it("bootloader none in config.json writes no grub.cfg either", async () => {
    const root = simpleRoot(3, { config: { bootloader: "none" } });
    await ok(root, "apply", "switch", "1", "--yes");
    expect(exists(root, GRUB)).toBe(false);
  });
});

describe.concurrent("a failing activation", () => {
  it("reverts: exit 1, the script's last lines shown, the old system running, nothing else changed", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }, { number: 3, activate: "fail" }], current: 2, running: 2, booted: 2 });
    await ok(root, "apply", "switch", "2", "--yes");
    const before = treeHash(root, { exclude: ["/var/log"] });
    const r = await run(root, "apply", "switch", "3", "--yes");
    expect(r.code).toBe(1);
    const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("switchyard: "));
    expect(errorLines).toEqual([`switchyard: activate ${systemOf(3)} (switch) failed: activation script of ${systemOf(3)} exited with status 3`]);
    const tail = r.stderr.slice(r.stderr.indexOf(errorLines[0] as string));
    expect(tail).toContain("its last output:");
    expect(tail).toContain(`| activating ${systemOf(3)}`);
    expect(tail).toContain("| cannot set up /etc: disk on fire");
    expect(tail).toContain("reverted: the previous generation is running again; the boot default did not move");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(readLink(root, CURRENT_SYSTEM)).toBe(systemOf(2));
    expect(readLink(root, PROFILE)).toBe("system-2-link");
    expect(activations(root).at(-1)).toBe(`revert ${systemOf(2)}`);
    expect(treeHash(root, { exclude: ["/var/log"] })).toBe(before);
  });
});

describe.concurrent("there and back", () => {
  it("switching A -> B -> A restores the tree exactly", async () => {
    const root = demoRoot();
    await ok(root, "apply", "switch", "2", "--yes");
    const options = { exclude: ["/var/log"], profileLinkMtime: false };
    const before = treeHash(root, options);
    await ok(root, "apply", "switch", "3", "--yes");
    expect(treeHash(root, options)).not.toBe(before);
    await ok(root, "apply", "switch", "2", "--yes");
    expect(treeHash(root, options)).toBe(before);
  });

  it("switch then rollback restores the tree exactly", async () => {
    const root = simpleRoot(2);
    await ok(root, "apply", "switch", "2", "--yes");
    const options = { exclude: ["/var/log"], profileLinkMtime: false };
    const before = treeHash(root, options);
    await ok(root, "apply", "switch", "+1", "--yes");
    expect(readLink(root, PROFILE)).toBe("system-3-link");
    await ok(root, "apply", "rollback", "--yes");
    expect(treeHash(root, options)).toBe(before);
  });

  it("a switch to the current generation changes nothing once grub.cfg is written", async () => {
    const root = simpleRoot(3);
    await ok(root, "apply", "switch", "3", "--yes");
    const before = treeHash(root);
    const r = await ok(root, "apply", "switch", "3", "--yes");
    expect(r.stdout).toContain("Nothing to do.");
    expect(treeHash(root)).toBe(before);
  });
});

describe.concurrent("text output escapes control characters from manifests", () => {
  // A label that would turn the terminal red, start a forged table row and rewind the line.
  const EVIL = "Evil\u001b[31m OS\n         9  2024-01-09 12:30  Forged\r\u009b2J";
  const SHOWN = "Evil\\x1b[31m OS\\n         9  2024-01-09 12:30  Forged\\r\\x9b2J";
  const root = tempRoot({
    generations: [{ number: 1, createdMs: createdAt(1) }, { number: 2, label: EVIL, services: [{ name: "web", start: ["/bin/echo", "a\u001b]0;title\u0007b"] }], createdMs: createdAt(2) }],
    current: 2,
    running: 2,
    booted: 2,
  });
  const noControl = (text: string) => expect(text.replace(/\n/g, "")).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);

  it("list: one row per generation, the label escaped", async () => {
    const r = await ok(root, "list");
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(`         2  2024-01-02 12:30:00  ${SHOWN}  current, running, booted`);
    noControl(r.stdout);
  });

  it("describe and plan: the label and the service command escaped", async () => {
    const d = await ok(root, "describe");
    expect(d.stdout).toContain(`  label     ${SHOWN}\n`);
    expect(d.stdout).toContain("    web: /bin/echo a\\x1b]0;title\\x07b\n");
    noControl(d.stdout);
    const p = await ok(root, "plan", "switch", "1");
    noControl(p.stdout);
  });

  it("--json keeps the values as they are", async () => {
    const doc = JSON.parse((await ok(root, "list", "--json")).stdout);
    expect(doc.generations[1].label).toBe(EVIL);
    const described = JSON.parse((await ok(root, "describe", "--json")).stdout);
    expect(described.services[0].start).toEqual(["/bin/echo", "a\u001b]0;title\u0007b"]);
  });
});

describe("treeHash (the helper the error tests rely on)", () => {
  it("sees contents, modes, link targets and generation link mtimes, not file mtimes", () => {
    const root = simpleRoot(3);
    const before = treeHash(root);
    const kernel = host(root, `${systemOf(1)}/kernel`);
    fs.utimesSync(kernel, new Date(0), new Date(0));
    expect(treeHash(root)).toBe(before);
    const mode = fs.statSync(kernel).mode & 0o7777;
    fs.chmodSync(kernel, mode ^ 0o040);
    expect(treeHash(root)).not.toBe(before);
    fs.chmodSync(kernel, mode);
    expect(treeHash(root)).toBe(before);
    const mtime = fs.lstatSync(host(root, linkOf(2))).mtime;
    fs.lutimesSync(host(root, linkOf(2)), new Date(0), new Date(0));
    expect(treeHash(root)).not.toBe(before);
    fs.lutimesSync(host(root, linkOf(2)), mtime, mtime);
    expect(treeHash(root)).toBe(before);
    fs.mkdirSync(host(root, "/var/empty"));
    expect(treeHash(root)).not.toBe(before);
    expect(treeHash(root, { exclude: ["/var/empty"] })).toBe(before);
  });
});

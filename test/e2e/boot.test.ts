/**
 * Boot features as a user runs them, through the built binary: systemd-boot entries on an ESP
 * directory, a trial (`--mode try`, `--try N`) shown by plan, status and describe, the loader's
 * attempt (the entry rename systemd-boot makes, done by hand here), `bless` and `bless --bad`, and
 * the refusals (exit 2, one line, nothing changed).
 */
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { cleanUp, expectError, expectUsage, host, ok, readLink, readText, run, simpleRoot, systemOf, treeHash } from "./support.js";

afterAll(cleanUp);

const SD = ["--bootloader", "systemd-boot", "--esp", "/efi"];
const entries = (root: string): ReadonlyArray<string> => fs.readdirSync(host(root, "/efi/loader/entries")).sort();

/** What systemd-boot does before it boots a counted entry, and what the booted system's links then say. */
const loaderBoots = (root: string, from: string, to: string, generation: number): void => {
  fs.renameSync(host(root, `/efi/loader/entries/${from}`), host(root, `/efi/loader/entries/${to}`));
  for (const link of ["/run/booted-system", "/run/current-system"]) {
    fs.rmSync(host(root, link), { force: true });
    fs.symlinkSync(systemOf(generation), host(root, link));
  }
};

describe.concurrent("systemd-boot through the CLI", () => {
  it("writes one entry per generation and loader.conf, then tries, boots, blesses", async () => {
    const root = simpleRoot(3);
    await ok(root, ...SD, "apply", "switch", "3", "--yes");
    expect(entries(root)).toEqual(["switchyard-1.conf", "switchyard-2.conf", "switchyard-3.conf"]);
    expect(readText(root, "/efi/loader/loader.conf")).toBe("timeout 5\ndefault switchyard-3.conf\n");

    const plan = await ok(root, ...SD, "plan", "switch", "1", "--try", "2", "--steps");
    expect(plan.stdout).toContain("Plan: switch from generation 3 to 1 (mode try)\n");
    expect(plan.stdout).toContain("trial: generation 1 boots next, up to 2 times; unless 'switchyard bless' runs on it, generation 3 boots after that\n");
    expect(plan.stdout).toContain("write /efi/loader/entries/switchyard-1+2.conf");

    const applied = await ok(root, ...SD, "apply", "switch", "1", "--try", "2", "--yes");
    expect(applied.stdout).toContain("generation 1 boots next on trial; generation 3 stays the default until 'switchyard bless' runs on generation 1 in ");
    expect(entries(root)).toEqual(["switchyard-1+2.conf", "switchyard-2.conf", "switchyard-3.conf"]);
    expect(readLink(root, "/var/lib/switchyard/profiles/system")).toBe("system-3-link");
    expect((await ok(root, ...SD, "status")).stdout).toContain("Boot: pending: generation 1 boots next on trial (2 tries left); generation 3 is the fallback\n");
    expect((await ok(root, ...SD, "bless")).stdout).toBe("generation 1 has not booted yet (2 tries left); bless it once it runs\n");

    loaderBoots(root, "switchyard-1+2.conf", "switchyard-1+1-1.conf", 1);
    const status = await ok(root, ...SD, "status", "--json");
    expect(JSON.parse(status.stdout).trial).toEqual({ state: "booted", generation: 1, fallback: 3, triesLeft: 1 });
    expect((await ok(root, ...SD, "describe")).stdout).toContain("  trial     booted on trial: generation 1 runs (1 try left); run 'switchyard bless' to keep it\n");

    expect((await ok(root, ...SD, "bless")).stdout).toBe("blessed generation 1: it is the boot default from now on\n");
    expect(entries(root)).toEqual(["switchyard-1.conf", "switchyard-2.conf", "switchyard-3.conf"]);
    expect(readText(root, "/efi/loader/loader.conf")).toBe("timeout 5\ndefault switchyard-1.conf\n");
    expect(readLink(root, "/var/lib/switchyard/profiles/system")).toBe("system-1-link");
    expect((await ok(root, ...SD, "status")).stdout).toContain("Boot: blessed: generation 1 is the boot default; no trial pending\n");
    expect((await ok(root, ...SD, "bless")).stdout).toBe("no trial boot is pending; generation 1 is the boot default\n");
  });

  it("is chosen by the config file too, with the menu limit", async () => {
    const root = simpleRoot(3, { config: { bootloader: "systemd-boot", boot: { esp: "/efi", menuLimit: 2 } } });
    const r = await ok(root, "apply", "switch", "3", "--yes");
    expect(r.stdout).toContain("warning: 1 older generation left out of the boot menu (boot.menuLimit 2): 1\n");
    expect(entries(root)).toEqual(["switchyard-2.conf", "switchyard-3.conf"]);
  });
});

describe.concurrent("a GRUB trial through the CLI", () => {
  it("arms grubenv, and bless --bad gives up", async () => {
    const root = simpleRoot(3);
    await ok(root, "apply", "switch", "3", "--yes");
    await ok(root, "apply", "rollback", "--mode", "try", "--yes");
    expect(readText(root, "/boot/grub/grubenv")).toMatch(/^# GRUB Environment Block\nswitchyard_trial=2\nswitchyard_tries=1\n#+$/);
    expect((await ok(root, "bless", "--bad")).stdout).toBe("gave up generation 2; generation 3 boots next\n");
    expect(readText(root, "/boot/grub/grubenv")).toMatch(/^# GRUB Environment Block\nswitchyard_trial=2\nswitchyard_tries=0\n#+$/);
    expect((await ok(root, "status")).stdout).toContain("Boot: fell back: generation 2 failed to boot (no tries left), so generation 3 booted instead\n");
  });
});

describe.concurrent("refusals", () => {
  it("rejects bad --try values and combinations, a trial of the default and a trial without a bootloader, changing nothing", async () => {
    const root = simpleRoot(3);
    const before = treeHash(root);
    expectUsage(await run(root, "apply", "switch", "1", "--try", "0", "--yes"), "apply", "--try takes whole boot attempts from 1 to 9, not '0'");
    expectUsage(await run(root, "apply", "switch", "1", "--try", "2", "--mode", "boot", "--yes"), "apply", "--try N is a trial boot; it does not go with --mode boot");
    expectUsage(await run(root, "plan", "delete", "1", "--try", "2"), "plan", "--try does not apply to delete");
    expectError(await run(root, "apply", "switch", "3", "--mode", "try", "--yes"), 2, "generation 3 is the boot default already; a trial boot needs another generation");
    expectError(await run(root, "--bootloader", "none", "apply", "switch", "1", "--mode", "try", "--yes"), 2, "--mode try needs a bootloader");
    expectError(await run(root, "--bootloader", "none", "bless"), 2, "there is no bootloader to bless a generation in");
    expectUsage(await run(root, "bless", "extra"), "bless", "bless takes no arguments");
    expectUsage(await run(root, "list", "--bad"), "list", "--bad is not an option of list");
    expectError(await run(root, "--esp", "efi", "list"), 2, "esp:");
    expect(treeHash(root)).toBe(before);
  });
});

/**
 * systemd-boot on a real ESP (a tmpfs mounted at /boot inside a temp root), checked by the real
 * `bootctl list`: after every switch, trial, boot attempt (systemd-boot's rename, simulated) and
 * delete, bootctl lists exactly the generations of the menu, the right default and the right tries
 * left; kernels and initrds are copied once under content-addressed names and removed when no
 * entry refers to them any more.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as Entry from "../../packages/model/src/boot/systemd-boot/Entry.js";
import type * as Plan from "../../packages/model/src/plan/Plan.js";
import type * as Request from "../../packages/model/src/plan/Request.js";
import { applyPlan, cleanUpMachines, planFor, sdMachine, type Real } from "../support/boot-machines.js";
import { bootctl, hostDisk } from "../support/esp.js";
import { bootSystemd, sdDefault } from "../support/loaders.js";
import { systemOf, type Machine } from "../support/machine.js";

afterEach(cleanUpMachines);

const run = async (m: Machine, operation: Request.Between, mode: Plan.Mode = "switch", attempts?: number) => applyPlan(m, await planFor(m, operation, mode, attempts));
const to = (spec: number): Request.Between => ({ _tag: "Switch", spec: String(spec) });

const listing = (m: Real) => {
  const b = bootctl(path.join(m.dir, "boot"));
  return { ids: b.entries.map((e) => e.id), default: b.default, tries: Object.fromEntries(b.entries.filter((e) => e.triesLeft !== undefined).map((e) => [e.id, [e.triesLeft, e.triesDone]])) };
};

const files = (m: Real) => fs.readdirSync(path.join(m.dir, "boot/EFI/switchyard")).sort();

describe("systemd-boot, checked by bootctl", () => {
  it("lists every generation with the current one as the default, kernels and initrds copied once", async () => {
    const m = sdMachine(3, 3);
    await run(m, to(3));
    expect(listing(m)).toEqual({ ids: ["switchyard-3.conf", "switchyard-2.conf", "switchyard-1.conf"], default: "switchyard-3.conf", tries: {} });
    const esp = path.join(m.dir, "boot");
    expect(files(m)).toEqual([1, 2, 3].flatMap((n) => [Entry.installedName(`${systemOf(n)}/kernel`), Entry.installedName(`${systemOf(n)}/initrd`)]).sort());
    const entry = bootctl(esp).entries[0];
    expect(entry?.linux).toBe(`/EFI/switchyard/${Entry.installedName(`${systemOf(3)}/kernel`)}`);
    expect(entry?.options).toBe(`quiet switchyard.system=${systemOf(3)}`);
    expect(fs.readFileSync(path.join(esp, entry?.linux ?? ""), "utf8")).toBe("kernel 3");
    expect(fs.readFileSync(path.join(esp, "loader/loader.conf"), "utf8")).toBe("timeout 5\ndefault switchyard-3.conf\n");
    // Nothing changes when nothing changed: no step at all.
    expect((await planFor(m, to(3))).steps).toEqual([]);
  });

  it("rolls back by moving the default only, and keeps the user's own loader.conf settings", async () => {
    const m = sdMachine(3, 3);
    await run(m, to(3));
    const conf = path.join(m.dir, "boot/loader/loader.conf");
    fs.writeFileSync(conf, `${fs.readFileSync(conf, "utf8")}editor no\n`);
    const before = files(m);
    await run(m, { _tag: "Rollback" });
    expect(listing(m).default).toBe("switchyard-2.conf");
    expect(listing(m).ids[0]).toBe("switchyard-2.conf");
    expect(fs.readFileSync(conf, "utf8")).toBe("timeout 5\ndefault switchyard-2.conf\neditor no\n");
    expect(files(m)).toEqual(before);
  });

  it("a trial: bootctl shows the tries left after each attempt the loader makes, then the fallback as the default", async () => {
    const m = sdMachine(3, 3);
    await run(m, to(3));
    await run(m, to(1), "try", 2);
    expect(listing(m)).toEqual({ ids: ["switchyard-1.conf", "switchyard-3.conf", "switchyard-2.conf"], default: "switchyard-1.conf", tries: { "switchyard-1.conf": [2, undefined] } });
    const esp = path.join(m.dir, "boot");
    expect(bootSystemd(hostDisk, esp).generation).toBe(1);
    expect(listing(m)).toEqual({ ids: ["switchyard-1.conf", "switchyard-3.conf", "switchyard-2.conf"], default: "switchyard-1.conf", tries: { "switchyard-1.conf": [1, 1] } });
    expect(bootSystemd(hostDisk, esp).generation).toBe(1);
    // No tries left: the entry sorts last and the fallback is the default, in bootctl and in the loader.
    expect(listing(m)).toEqual({ ids: ["switchyard-3.conf", "switchyard-2.conf", "switchyard-1.conf"], default: "switchyard-3.conf", tries: { "switchyard-1.conf": [0, 2] } });
    expect(sdDefault(hostDisk, esp)?.id).toBe("switchyard-3.conf");
    expect(bootSystemd(hostDisk, esp).generation).toBe(3);
  });

  it("a switch after a trial writes the entry without its counter; deleting removes entries and unreferenced files", async () => {
    const m = sdMachine(4, 4);
    await run(m, to(4));
    await run(m, to(2), "try");
    await run(m, to(3), "boot");
    expect(listing(m)).toEqual({ ids: ["switchyard-3.conf", "switchyard-4.conf", "switchyard-2.conf", "switchyard-1.conf"], default: "switchyard-3.conf", tries: {} });
    await run(m, { _tag: "Delete", pattern: "1,2" });
    expect(listing(m)).toEqual({ ids: ["switchyard-3.conf", "switchyard-4.conf"], default: "switchyard-3.conf", tries: {} });
    expect(files(m)).toEqual([3, 4].flatMap((n) => [Entry.installedName(`${systemOf(n)}/kernel`), Entry.installedName(`${systemOf(n)}/initrd`)]).sort());
  });

  it("bounds the menu by boot.menuLimit", async () => {
    const m = sdMachine(6, 6, 3);
    const p = await planFor(m, to(2));
    expect(p.warnings).toContain("3 older generations left out of the boot menu (boot.menuLimit 3): 1, 3, 4");
    await applyPlan(m, p);
    expect(listing(m)).toMatchObject({ ids: ["switchyard-2.conf", "switchyard-6.conf", "switchyard-5.conf"], default: "switchyard-2.conf" });
  });
});

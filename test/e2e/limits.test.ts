/**
 * Limits, through the built binary: a system directory, kernel or initrd path with a control
 * character is never written into grub.cfg as a different path (refused as the boot default, left
 * out of the menu with a warning otherwise); generation numbers stop at 2^31-1, and a link or an
 * `add` past it is a clear error (exit 2), never an internal error.
 */
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { removeSnapshot } from "./faults-support.js";
import { fingerprint, refusesUntouched, sentinel, stamped } from "./security-support.js";
import { Fixture, PROFILE, cleanUp, linkOf, ok, readLink, readText, tempRoot } from "./support.js";

afterAll(() => {
  cleanUp();
  removeSnapshot();
});

const Invalid = 2;
const MAX = 2_147_483_647;

describe.concurrent("control characters in the paths grub.cfg names", () => {
  const EVIL = "/store/evil\nmenuentry 'x' {";

  it("a system directory with a newline cannot be the boot default: exit 2 naming it, nothing written", async () => {
    const root = stamped(tempRoot({ generations: [{ number: 1 }, { number: 2 }, { number: 3, system: EVIL }], current: 2, running: 2, booted: 2 }));
    await refusesUntouched(root, sentinel(), ["apply", "switch", "3", "--yes"], Invalid,
      `generation 3 cannot be the boot default: its system directory ${JSON.stringify(EVIL)} contains a control character, which a boot menu cannot hold as it is; rename it`);
  });

  it("a kernel path with a tab, likewise", async () => {
    const manifest = { schema: 1, label: "Tabbed", boot: { kernel: "vmlinuz\tquiet", initrd: "initrd" } };
    const root = stamped(tempRoot({ generations: [{ number: 1 }, { number: 2, manifest }], current: 1, running: 1, booted: 1 }));
    await refusesUntouched(root, sentinel(), ["apply", "switch", "2", "--yes"], Invalid, "generation 2 cannot be the boot default: its kernel");
  });

  it("another generation with one is left out of the menu, with a warning naming it; the switch goes on", async () => {
    const root = stamped(tempRoot({ generations: [{ number: 1 }, { number: 2 }, { number: 3, system: EVIL }], current: 2, running: 2, booted: 2 }));
    const planned = await ok(root, "plan", "switch", "1");
    expect(planned.stdout + planned.stderr).toContain(`warning: generation 3 left out of the boot menu: its system directory ${JSON.stringify(EVIL)} contains a control character`);
    await ok(root, "apply", "switch", "1", "--yes");
    const grub = readText(root, "/boot/grub/grub.cfg") ?? "";
    expect(grub).not.toContain("evil");
    expect(grub).not.toMatch(/switchyard-3\b/);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
  });
});

describe.concurrent("generation numbers stop at 2^31-1", () => {
  it("a link past the maximum is a malformed entry naming it (exit 2), for every command", async () => {
    const root = stamped(tempRoot({ generations: [{ number: 1 }, { number: 2 }], current: 1, running: 1, booted: 1 }));
    Fixture.link(root, linkOf(MAX + 1), readLink(root, linkOf(2)) as string);
    const message = `${root}${linkOf(MAX + 1)}: '${MAX + 1}' is past the largest generation number, ${MAX}; rename or remove it`;
    const outside = sentinel();
    await refusesUntouched(root, outside, ["list"], Invalid, message);
    await refusesUntouched(root, outside, ["apply", "switch", "2", "--yes"], Invalid, message);
  });

  it("the largest safe integer as a link: a clear error, where add used to end in an internal error", async () => {
    const root = stamped(tempRoot({ generations: [{ number: 1 }, { number: Number.MAX_SAFE_INTEGER }], current: 1, running: 1, booted: 1 }));
    Fixture.makeSystem(root, { number: 5, system: "/store/five" });
    await refusesUntouched(root, sentinel(), ["add", "/store/five"], Invalid, `'${Number.MAX_SAFE_INTEGER}' is past the largest generation number, ${MAX}`);
  });

  it("add after generation 2^31-1: exit 2 saying no generation can follow it, nothing added", async () => {
    const root = stamped(tempRoot({ generations: [{ number: 1 }, { number: MAX }], current: 1, running: 1, booted: 1 }));
    Fixture.makeSystem(root, { number: 5, system: "/store/five" });
    const outside = sentinel();
    const before = fingerprint(root, outside);
    await refusesUntouched(root, outside, ["add", "/store/five"], Invalid, `generation ${MAX} is the largest number a generation can have, so no generation can be added after it`);
    expect(fingerprint(root, outside)).toEqual(before);
    expect(fs.existsSync(`${root}${linkOf(MAX + 1)}`)).toBe(false);
    // The largest one itself is a generation like any other.
    await ok(root, "apply", "switch", String(MAX), "--yes");
    expect(readLink(root, PROFILE)).toBe(`system-${MAX}-link`);
  });
});

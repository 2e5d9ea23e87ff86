/** The menu reader the model-based tests judge grub.cfg with, on hand-written menus. */
import { describe, expect, it } from "vitest";
import * as GrubMenu from "./GrubMenu.js";

const menu = `# a comment
set default=0
set timeout=7
menuentry 'It'\\''s #2' --id switchyard-2 {
\tlinux /store/2/kernel quiet 'foo=a b' switchyard.system=/store/2
\tinitrd /store/2/initrd
}
submenu 'Older generations' --id switchyard-older {
\tmenuentry "Three \\"3\\"" --id switchyard-3 {
\t\tlinux '/store/my system/kernel'
\t}
\tmenuentry One --id switchyard-1 {
\t\tlinux /store/1/kernel
\t}
}
`;

describe("GrubMenu.read", () => {
  it("reads settings, entries in menu order with their submenus, and GRUB's quoting", () => {
    const m = GrubMenu.read(menu);
    expect(m.settings).toEqual({ default: "0", timeout: "7" });
    expect(m.entries).toEqual([
      { title: "It's #2", id: "switchyard-2", submenus: [], linux: ["/store/2/kernel", "quiet", "foo=a b", "switchyard.system=/store/2"], initrd: "/store/2/initrd" },
      { title: 'Three "3"', id: "switchyard-3", submenus: ["Older generations"], linux: ["/store/my system/kernel"], initrd: null },
      { title: "One", id: "switchyard-1", submenus: ["Older generations"], linux: ["/store/1/kernel"], initrd: null },
    ]);
    expect(m.defaultEntry?.id).toBe("switchyard-2");
  });

  it("resolves the default as GRUB does: top-level position, N>M into a submenu, or an id", () => {
    const withDefault = (d: string) => GrubMenu.read(menu.replace("set default=0", `set default=${d}`)).defaultEntry?.id ?? null;
    expect(withDefault("1>1")).toBe("switchyard-1");
    expect(withDefault("1")).toBeNull(); // the submenu itself is not bootable
    expect(withDefault("switchyard-3")).toBe("switchyard-3");
    expect(withDefault("5")).toBeNull();
  });

  it("reads the trial script's conditional settings as not taken (no trial pending)", () => {
    const trial = menu.replace(
      "set timeout=7\n",
      'set timeout=7\nif [ -s "${prefix}/grubenv" ]; then\n\tload_env switchyard_trial\nfi\nif [ -n "${switchyard_trial}" ]; then\n\tif [ "${x}" = "1" ]; then\n\t\tset y=1\n\telif [ "${x}" = "2" ]; then\n\t\tset y=2\n\tfi\n\tset default="switchyard-older>switchyard-${switchyard_trial}"\nfi\n',
    );
    const m = GrubMenu.read(trial);
    expect(m.settings).toEqual({ default: "0", timeout: "7" });
    expect(m.defaultEntry?.id).toBe("switchyard-2");
    expect(() => GrubMenu.read("if [ -n x ]; then\nset a=1\n")).toThrow(/inside an entry, a submenu or an 'if'/);
    expect(() => GrubMenu.read("fi\n")).toThrow(/closes no 'if'/);
  });

  it("refuses what GRUB would refuse: an unbalanced quote, an unclosed entry", () => {
    expect(() => GrubMenu.read("menuentry 'x --id a {\n}\n")).toThrow(/unbalanced/);
    expect(() => GrubMenu.read("menuentry x --id a {\n\tlinux /k\n")).toThrow(/ends inside/);
  });
});

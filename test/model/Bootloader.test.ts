/**
 * The bootloader seam: one `Menu` (bounded by `boot.menuLimit`) rendered by GRUB and by
 * systemd-boot into ordered file operations against what was observed. Each renderer is checked
 * for the order that keeps crashes bootable, for idempotence (rendering again over its own result
 * changes nothing) and for keeping a trial's counter when a menu is rewritten around it.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as BootFiles from "../../packages/model/src/boot/BootFiles.js";
import * as BootSteps from "../../packages/model/src/boot/BootSteps.js";
import * as Grub from "../../packages/model/src/boot/grub/Grub.js";
import * as GrubEnv from "../../packages/model/src/boot/grub/GrubEnv.js";
import * as Menu from "../../packages/model/src/boot/Menu.js";
import * as Entry from "../../packages/model/src/boot/systemd-boot/Entry.js";
import * as SystemdBoot from "../../packages/model/src/boot/systemd-boot/SystemdBoot.js";
import * as GenerationNumber from "../../packages/model/src/world/GenerationNumber.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import type * as World from "../../packages/model/src/world/World.js";
import * as Worlds from "../support/worlds.js";

const n = GenerationNumber.unsafe;
const ESP = InRootPath.unsafe("/boot/efi");
const LOADER = `${ESP}/loader/loader.conf`;
const ENTRIES = `${ESP}/loader/entries`;

const right = <A>(e: E.Either<{ readonly message: string } | string, A>): A => {
  if (E.isLeft(e)) throw new Error(typeof e.left === "string" ? e.left : e.left.message);
  return e.right;
};

const numbers = (count: number) => Array.from({ length: count }, (_, i) => ({ number: i + 1 }));

const sdWorld = (specs: ReadonlyArray<Worlds.GenerationSpec>, files: BootFiles.Observed["files"] = {}, menuLimit = 100, current?: number): World.World => ({
  ...Worlds.world(specs, {
    settings: { bootloader: "systemd-boot", boot: { esp: ESP, menuLimit } },
    bootConfig: { path: InRootPath.unsafe(LOADER), content: files[LOADER] ?? null, digest: null },
    ...(current === undefined ? {} : { current }),
  }),
  bootFiles: { files },
});

const grubWorld = (specs: ReadonlyArray<Worlds.GenerationSpec>, files: BootFiles.Observed["files"] = {}, menuLimit = 100, current?: number): World.World => ({
  ...Worlds.world(specs, { settings: { boot: { esp: InRootPath.unsafe("/boot"), menuLimit } }, ...(current === undefined ? {} : { current }) }),
  bootFiles: { files },
});

/** Render, then apply the operations to the observed files: what the loader finds afterwards. */
const after = (world: World.World, request: BootSteps.Request) => {
  const loader = BootSteps.bootloaderOf(world.settings.bootloader);
  if (loader === null) throw new Error("no bootloader");
  const trial = request.trial === "keep" ? null : request.trial;
  const menu = right(Menu.of(world, { default: request.default, trial }));
  const ops = right(loader.render(menu, BootSteps.observedOf(world), world.settings));
  return { ops, files: BootFiles.after(BootSteps.observedOf(world), ops) };
};

describe("Menu.of: the bounded menu", () => {
  it("lists the default and then the newest others up to the limit, and says how many were left out", () => {
    const menu = right(Menu.of(Worlds.world(numbers(10), { settings: { boot: { esp: ESP, menuLimit: 4 } } }), { default: n(5), trial: null }));
    expect(menu.entries.map((e) => e.number)).toEqual([5, 10, 9, 8]);
    expect(menu.omitted).toEqual([7, 6, 4, 3, 2, 1]);
    expect(Menu.warnings(menu)).toEqual(["6 older generations left out of the boot menu (boot.menuLimit 4): among 1..7"]);
  });

  it("always keeps the trial and its fallback, however old", () => {
    const menu = right(Menu.of(Worlds.world(numbers(10), { settings: { boot: { esp: ESP, menuLimit: 3 } } }), { default: n(2), trial: { target: n(1), attempts: 1 } }));
    expect(menu.entries.map((e) => e.number)).toEqual([2, 10, 1]);
    expect(menu.omitted).toEqual([9, 8, 7, 6, 5, 4, 3]);
  });

  it("defaults to 100 entries", () => {
    const menu = right(Menu.of(Worlds.world(numbers(150)), { default: n(150), trial: null }));
    expect(menu.entries).toHaveLength(100);
    expect(menu.omitted).toHaveLength(50);
    expect(Menu.warnings(menu)).toEqual(["50 older generations left out of the boot menu (boot.menuLimit 100): 1..50"]);
  });

  it("refuses a trial of the default, of a missing or invalid generation, and out-of-range attempts", () => {
    const world = Worlds.world([{ number: 1 }, { number: 2, invalid: "broken" }, { number: 3 }]);
    const error = (trial: Menu.Trial) => {
      const m = Menu.of(world, { default: n(3), trial });
      return E.isLeft(m) ? m.left.message : "";
    };
    expect(error({ target: n(3), attempts: 1 })).toContain("is the boot default already");
    expect(error({ target: n(4), attempts: 1 })).toContain("generation 4 does not exist");
    expect(error({ target: n(2), attempts: 1 })).toContain("cannot be the generation on trial");
    expect(error({ target: n(1), attempts: 0 })).toContain("1 to 9 attempts");
    expect(error({ target: n(1), attempts: 10 })).toContain("1 to 9 attempts");
  });

  it("applies to both bootloaders", () => {
    for (const world of [grubWorld(numbers(8), {}, 3), sdWorld(numbers(8), {}, 3)]) {
      const boot = right(BootSteps.plan(world, { default: n(8), trial: null }));
      expect(boot?.summary).toEqual({ default: 8, entries: [8, 7, 6], trial: null, omitted: 5 });
      expect(boot?.warnings).toEqual(["5 older generations left out of the boot menu (boot.menuLimit 3): 1..5"]);
    }
    const sd = after(sdWorld(numbers(8), {}, 3), { default: n(8), trial: null }).files;
    expect(BootFiles.inside(sd, ENTRIES)).toEqual([6, 7, 8].map((i) => `${ENTRIES}/switchyard-${i}.conf`));
    const grub = after(grubWorld(numbers(8), {}, 3), { default: n(8), trial: null }).files;
    expect([...(BootFiles.text(grub, Grub.CONFIG) ?? "").matchAll(/--id switchyard-([0-9]+) /g)].map((m) => Number(m[1]))).toEqual([8, 7, 6]);
  });
});

describe("GRUB", () => {
  const env = (files: BootFiles.Observed) => right(GrubEnv.parse(BootFiles.text(files, Grub.ENV) ?? "", Grub.ENV));

  it("writes only grub.cfg when no trial is involved, and nothing when it is already right", () => {
    const first = after(grubWorld(numbers(3)), { default: n(3), trial: null });
    expect(first.ops.map((o) => `${o._tag} ${o.path}`)).toEqual([`Write ${Grub.CONFIG}`]);
    const again = after({ ...grubWorld(numbers(3)), bootFiles: first.files }, { default: n(3), trial: null });
    expect(again.ops).toEqual([]);
  });

  it("arms a trial with the menu first and the environment block last, a 1024-byte block grub-editenv can read", () => {
    const armed = after(grubWorld(numbers(3)), { default: n(3), trial: { target: n(2), attempts: 2 } });
    expect(armed.ops.map((o) => `${o._tag} ${o.path}`)).toEqual([`Write ${Grub.CONFIG}`, `Write ${Grub.ENV}`]);
    expect(BootFiles.text(armed.files, Grub.ENV)).toHaveLength(GrubEnv.SIZE);
    expect(env(armed.files)).toEqual([
      ["switchyard_trial", "2"],
      ["switchyard_tries", "2"],
    ]);
    expect(Grub.grub.trialOf(armed.files, grubWorld([]).settings)).toEqual({ target: 2, triesLeft: 2, triesDone: null, blessed: false });
  });

  it("disarms with the environment block first, keeping the variables that are not ours", () => {
    const block = right(GrubEnv.render([["saved_entry", "x"], ["switchyard_trial", "2"], ["switchyard_tries", "0"], ["next_entry", "a\\b"]], Grub.ENV));
    const world = grubWorld(numbers(3), { [Grub.ENV]: block });
    const disarmed = after(world, { default: n(1), trial: null });
    expect(disarmed.ops.map((o) => `${o._tag} ${o.path}`)).toEqual([`Write ${Grub.ENV}`, `Write ${Grub.CONFIG}`]);
    expect(env(disarmed.files)).toEqual([
      ["saved_entry", "x"],
      ["next_entry", "a\\b"],
    ]);
  });

  it("keeps the trial's counter when the menu is rewritten around it (add, delete)", () => {
    const block = right(GrubEnv.render([["switchyard_trial", "2"], ["switchyard_tries", "1"]], Grub.ENV));
    const world = grubWorld(numbers(4), { [Grub.ENV]: block }, 100, 3);
    const boot = right(BootSteps.plan(world, { default: n(3), trial: "keep" }));
    expect(boot?.steps.map((s) => s._tag === "WriteFile" && s.path)).toEqual([Grub.CONFIG]);
    expect(boot?.summary.trial).toEqual({ generation: 2, attempts: null });
  });

  it("refuses to arm over a block it cannot read, naming it", () => {
    const world = grubWorld(numbers(2), { [Grub.ENV]: "garbage" });
    const boot = BootSteps.plan(world, { default: n(2), trial: { target: n(1), attempts: 1 } });
    expect(E.isLeft(boot) && boot.left.message).toContain("/boot/grub/grubenv is not a GRUB environment block");
    // A menu without a trial never needs the block.
    expect(E.isRight(BootSteps.plan(world, { default: n(2), trial: null }))).toBe(true);
  });

  it("refuses variables that do not fit in 1024 bytes", () => {
    expect(E.isLeft(GrubEnv.render([["big", "x".repeat(1000)]], Grub.ENV))).toBe(true);
  });
});

describe("systemd-boot", () => {
  const specs = [{ number: 1 }, { number: 2, boot: { initrd: null } }, { number: 3 }];

  it("installs kernels and initrds first, then entries, then loader.conf (exact files)", () => {
    const { ops, files } = after(sdWorld(specs), { default: n(3), trial: null });
    const kinds = ops.map((o) => o._tag);
    expect(kinds).toEqual(["Install", "Install", "Install", "Install", "Install", "Write", "Write", "Write", "Write"]);
    expect(ops[ops.length - 1]?.path).toBe(LOADER);
    expect(BootFiles.text(files, LOADER)).toBe("timeout 5\ndefault switchyard-3.conf\n");
    const kernel = Entry.installedName("/store/3-system/kernel");
    const initrd = Entry.installedName("/store/3-system/initrd");
    expect(kernel).toMatch(/^[0-9a-f]{16}-kernel$/);
    expect(BootFiles.text(files, `${ENTRIES}/switchyard-3.conf`)).toBe(
      `title Switchyard 3 (#3, 2024-01-04 00:00)
version Generation 3
linux /EFI/switchyard/${kernel}
initrd /EFI/switchyard/${initrd}
options switchyard.system=/store/3-system
sort-key switchyard-0
`,
    );
    expect(BootFiles.text(files, `${ENTRIES}/switchyard-2.conf`)).not.toContain("initrd");
    expect(BootFiles.text(files, `${ENTRIES}/switchyard-2.conf`)).toContain("sort-key switchyard-2\n");
  });

  it("changes nothing when run again, and only what changed on a switch; unreferenced files go last", () => {
    const first = after(sdWorld(specs), { default: n(3), trial: null });
    expect(after(sdWorld(specs, first.files.files), { default: n(3), trial: null }).ops).toEqual([]);
    const back = after(sdWorld(specs, first.files.files), { default: n(1), trial: null });
    expect(back.ops.map((o) => `${o._tag} ${o.path.slice(ESP.length)}`)).toEqual([
      "Write /loader/entries/switchyard-1.conf",
      "Write /loader/entries/switchyard-3.conf",
      "Write /loader/loader.conf",
    ]);
    const deleted = after(sdWorld([specs[0], specs[2]] as ReadonlyArray<Worlds.GenerationSpec>, first.files.files), { default: n(3), trial: null });
    expect(deleted.ops.map((o) => `${o._tag} ${o.path.slice(ESP.length)}`)).toEqual([
      "Remove /loader/entries/switchyard-2.conf",
      `Remove /EFI/switchyard/${Entry.installedName("/store/2-system/kernel")}`,
    ]);
  });

  it("keeps other loader.conf settings and writes -1 as menu-force", () => {
    const files = { [LOADER]: "# mine\neditor no\ntimeout 3\nconsole-mode max\n" };
    const world = { ...sdWorld(specs, files), settings: { ...sdWorld(specs).settings, timeout: -1 } };
    expect(BootFiles.text(after(world, { default: n(2), trial: null }).files, LOADER)).toBe("# mine\neditor no\ntimeout menu-force\nconsole-mode max\ndefault switchyard-2.conf\n");
  });

  it("arms a trial as a counted entry ranked first, the fallback second, and the default as a pattern", () => {
    const first = after(sdWorld(specs), { default: n(3), trial: null });
    const armed = after(sdWorld(specs, first.files.files), { default: n(3), trial: { target: n(1), attempts: 2 } });
    expect(armed.ops.map((o) => `${o._tag} ${o.path.slice(ESP.length)}`)).toEqual([
      "Write /loader/entries/switchyard-3.conf",
      "Write /loader/entries/switchyard-1+2.conf",
      "Remove /loader/entries/switchyard-1.conf",
      "Write /loader/loader.conf",
    ]);
    expect(BootFiles.text(armed.files, LOADER)).toBe("timeout 5\ndefault switchyard-*.conf\n");
    expect(Entry.rankOf(BootFiles.text(armed.files, `${ENTRIES}/switchyard-3.conf`))).toBe(1);
    const settings = sdWorld(specs).settings;
    expect(SystemdBoot.systemdBoot.trialOf(armed.files, settings)).toEqual({ target: 1, triesLeft: 2, triesDone: 0, blessed: false });
    // The loader counts one attempt down; a menu rewritten around the trial keeps that count.
    const counted = BootFiles.after(armed.files, [{ _tag: "Rename", from: InRootPath.unsafe(`${ENTRIES}/switchyard-1+2.conf`), path: InRootPath.unsafe(`${ENTRIES}/switchyard-1+1-1.conf`) }]);
    const kept = right(BootSteps.plan(sdWorld([...specs, { number: 4 }], counted.files), { default: n(3), trial: "keep" }));
    expect(kept?.steps.map((s) => `${s._tag} ${"path" in s ? s.path.slice(ESP.length) : ""}`)).toEqual([
      `CopyFile /EFI/switchyard/${Entry.installedName("/store/4-system/kernel")}`,
      `CopyFile /EFI/switchyard/${Entry.installedName("/store/4-system/initrd")}`,
      "WriteFile /loader/entries/switchyard-4.conf",
    ]);
  });

  it("marks good by dropping the counter and bad by spending every try, each one rename", () => {
    const settings = sdWorld(specs).settings;
    const files = { files: { [LOADER]: "default switchyard-*.conf\n", [`${ENTRIES}/switchyard-1+0-2.conf`]: "sort-key switchyard-0\n" } };
    const trial = SystemdBoot.systemdBoot.trialOf(files, settings);
    expect(trial).toEqual({ target: 1, triesLeft: 0, triesDone: 2, blessed: false });
    if (trial === null) return;
    expect(right(SystemdBoot.systemdBoot.mark(files, trial, "good", settings))).toEqual([
      { _tag: "Rename", from: `${ENTRIES}/switchyard-1+0-2.conf`, path: `${ENTRIES}/switchyard-1.conf` },
    ]);
    expect(right(SystemdBoot.systemdBoot.mark(files, trial, "bad", settings))).toEqual([]);
    const fresh = { files: { [LOADER]: "default switchyard-*.conf\n", [`${ENTRIES}/switchyard-1+3.conf`]: "sort-key switchyard-0\n" } };
    const t3 = SystemdBoot.systemdBoot.trialOf(fresh, settings);
    if (t3 === null) throw new Error("no trial");
    expect(right(SystemdBoot.systemdBoot.mark(fresh, t3, "bad", settings))).toEqual([
      { _tag: "Rename", from: `${ENTRIES}/switchyard-1+3.conf`, path: `${ENTRIES}/switchyard-1+0-0.conf` },
    ]);
  });

  it("reads entry names with and without counters, and leaves other files alone", () => {
    expect(Entry.parseName("switchyard-7.conf")).toEqual({ number: 7, counter: null });
    expect(Entry.parseName("switchyard-7+1.conf")).toEqual({ number: 7, counter: { left: 1, done: null } });
    expect(Entry.parseName("switchyard-7+0-3.conf")).toEqual({ number: 7, counter: { left: 0, done: 3 } });
    for (const other of ["switchyard-07.conf", "switchyard-x.conf", "nixos-generation-1.conf", "switchyard-7.conf~"]) expect(Entry.parseName(other)).toBeNull();
    const files = { [`${ENTRIES}/debian.conf`]: "title Debian\n", [`${ESP}/EFI/switchyard/.hidden`]: null };
    const { ops } = after(sdWorld(specs, files), { default: n(3), trial: null });
    expect(ops.some((o) => o.path.endsWith("debian.conf"))).toBe(false);
  });
});

/**
 * Real Nix and Guix profiles through the binary: generations whose system directories hold a NixOS
 * bootspec or Guix boot parameters (documents shaped like the real ones, see
 * test/model/Foreign.test.ts) are listed — in agreement with `nix-env --list-generations` on the
 * same profile —, described, put in the boot menu with their own kernel arguments, and switched
 * to with their own activation; broken documents are one error line naming the file. Then pins.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bootspec, parameters } from "../support/foreign-fixtures.js";
import { cleanUp, expectError, expectUsage, ok, readLink, readText, run, simpleRoot, tempDir, treeHash } from "./support.js";

afterAll(cleanUp);

const createdAt = (n: number) => Date.UTC(2024, 5, n, 8, 30);

const write = (root: string, inRoot: string, content: string, mode = 0o644) => {
  fs.mkdirSync(path.dirname(path.join(root, inRoot)), { recursive: true });
  fs.writeFileSync(path.join(root, inRoot), content, { mode });
};
const link = (root: string, inRoot: string, target: string, mtimeMs?: number) => {
  fs.mkdirSync(path.dirname(path.join(root, inRoot)), { recursive: true });
  fs.symlinkSync(target, path.join(root, inRoot));
  if (mtimeMs !== undefined) fs.lutimesSync(path.join(root, inRoot), mtimeMs / 1000, mtimeMs / 1000);
};

/** Logs `$0 $@` and GUIX_NEW_SYSTEM into the root, as a stand-in for the real activation. */
const LOGGER = `#!/bin/sh\necho "$0 $* GUIX_NEW_SYSTEM=\${GUIX_NEW_SYSTEM:-}" >> "$SWITCHYARD_ROOT/var/log/activations"\n`;

const toplevel = (n: number) => `/nix/store/${String(n).repeat(32).slice(0, 32)}-nixos-system-host-24.05.${n}`;

/** A NixOS-shaped root: /nix/var/nix/profiles/system-N-link → toplevels with boot.json and bin/switch-to-configuration. */
const nixRoot = (count: number, current: number, broken: Record<number, string> = {}): string => {
  const root = tempDir();
  for (let n = 1; n <= count; n++) {
    const top = toplevel(n);
    write(root, `${top}/boot.json`, broken[n] ?? bootspec(top));
    write(root, `${top}/bin/switch-to-configuration`, LOGGER, 0o755);
    link(root, `/nix/var/nix/profiles/system-${n}-link`, top, createdAt(n));
  }
  link(root, "/nix/var/nix/profiles/system", `system-${current}-link`);
  link(root, "/run/current-system", toplevel(current));
  link(root, "/run/booted-system", toplevel(current));
  fs.mkdirSync(path.join(root, "boot/grub"), { recursive: true });
  fs.mkdirSync(path.join(root, "var/log"), { recursive: true });
  return root;
};

const guixSystem = (n: number) => `/gnu/store/${String(n).repeat(32).slice(0, 32)}-system`;

const guixRoot = (count: number, current: number, broken: Record<number, string> = {}): string => {
  const root = tempDir();
  for (let n = 1; n <= count; n++) {
    write(root, `${guixSystem(n)}/parameters`, broken[n] ?? parameters(1, '(file-system-label "guix-root")'));
    write(root, `${guixSystem(n)}/activate`, LOGGER, 0o755);
    link(root, `/var/guix/profiles/system-${n}-link`, guixSystem(n), createdAt(n));
  }
  link(root, "/var/guix/profiles/system", `system-${current}-link`);
  link(root, "/run/current-system", guixSystem(current));
  link(root, "/run/booted-system", guixSystem(current));
  fs.mkdirSync(path.join(root, "boot/grub"), { recursive: true });
  fs.mkdirSync(path.join(root, "var/log"), { recursive: true });
  return root;
};

const nixEnv = (profile: string) => {
  const r = spawnSync("nix-env", ["--profile", profile, "--list-generations"], { encoding: "utf8", env: { ...process.env, TZ: "UTC", HOME: os.tmpdir() } });
  if (r.error !== undefined) throw new Error(`nix-env not found: install nix-bin (apt-get install nix-bin); ${r.error.message}`);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const m = /^\s*([0-9]+)\s+([0-9-]+ [0-9:]+)\s*(\(current\))?\s*$/.exec(l);
      if (m === null) throw new Error(`unexpected nix-env line: ${l}`);
      return { number: Number(m[1]), created: (m[2] as string).replace(" ", "T"), current: m[3] !== undefined };
    });
};

describe.concurrent("NixOS generations (boot.json)", () => {
  it("list agrees with nix-env --list-generations on the same profile", async () => {
    const root = nixRoot(3, 2);
    const ours = JSON.parse((await ok(root, "--layout", "nix", "list", "--json")).stdout) as { generations: Array<{ number: number; created: string; current: boolean; label: string; format: string }> };
    const theirs = nixEnv(path.join(root, "nix/var/nix/profiles/system"));
    expect(ours.generations.map((g) => ({ number: g.number, created: g.created.slice(0, 19), current: g.current }))).toEqual(theirs);
    expect(ours.generations.map((g) => [g.label, g.format])).toEqual([1, 2, 3].map(() => ["NixOS 24.05.20240610.abcdef0 (Linux 6.6.32)", "nixos-bootspec"]));
  });

  it("describes, writes the boot menu with init=, and switches with switch-to-configuration test", async () => {
    const root = nixRoot(3, 3);
    const d = (await ok(root, "--layout", "nix", "describe")).stdout;
    expect(d).toContain("  format    a NixOS system (boot.json)\n");
    expect(d).toContain(`  boot      linux /nix/store/1c4hz6pqx8z7fmi6ps5z2yp8b1jnq1lh-linux-6.6.32/bzImage init=${toplevel(3)}/init loglevel=4 net.ifnames=0 switchyard.system=${toplevel(3)}\n`);
    expect(d).toContain("  services  not diffed: its own activation starts them\n");
    const plan = (await ok(root, "--layout", "nix", "plan", "switch", "1", "--steps")).stdout;
    expect(plan).toContain(`activate ${toplevel(1)} (switch)`);
    expect(plan).toContain("warning: generation 1 is a NixOS system (boot.json) and generation 3 is a NixOS system (boot.json): its services are started by its own activation and are not diffed\n");
    await ok(root, "--layout", "nix", "apply", "switch", "1", "--yes");
    expect(readText(root, "/var/log/activations")).toBe(`${path.join(root, toplevel(1))}/bin/switch-to-configuration test GUIX_NEW_SYSTEM=\n`);
    expect(readLink(root, "/nix/var/nix/profiles/system")).toBe("system-1-link");
    const grub = readText(root, "/boot/grub/grub.cfg") ?? "";
    expect(grub).toContain(`\tlinux /nix/store/1c4hz6pqx8z7fmi6ps5z2yp8b1jnq1lh-linux-6.6.32/bzImage init=${toplevel(1)}/init loglevel=4 net.ifnames=0 switchyard.system=${toplevel(1)}\n`);
    expect(grub).toContain("\tinitrd /nix/store/7n0cg4jpb2dcn7hw2pskwqg2r2jy0n6g-initrd-linux-6.6.32/initrd\n");
  });

  it("an unknown bootspec version is listed with its error, and switching to it is refused naming the file", async () => {
    const v2 = bootspec(toplevel(1)).replace('"org.nixos.bootspec.v1"', '"org.nixos.bootspec.v2"');
    const root = nixRoot(2, 2, { 1: v2 });
    const list = JSON.parse((await ok(root, "--layout", "nix", "list", "--json")).stdout) as { generations: Array<{ error?: string }> };
    expect(list.generations[0]?.error).toBe(`${path.join(root, toplevel(1))}/boot.json: org.nixos.bootspec.v1: unknown bootspec version org.nixos.bootspec.v2: this switchyard reads org.nixos.bootspec.v1; upgrade switchyard`);
    const before = treeHash(root);
    expectError(await run(root, "--layout", "nix", "apply", "switch", "1", "--yes"), 2, `cannot switch to generation 1: ${path.join(root, toplevel(1))}/boot.json: org.nixos.bootspec.v1: unknown bootspec version`);
    expect(treeHash(root)).toBe(before);
  });
});

describe.concurrent("Guix generations (parameters)", () => {
  it("lists, writes root= gnu.system= gnu.load=, and switches with activate and GUIX_NEW_SYSTEM", async () => {
    const root = guixRoot(2, 2);
    const list = (await ok(root, "--layout", "guix", "list")).stdout;
    expect(list).toContain("GNU with Linux-Libre 6.8.9  current, running, booted");
    await ok(root, "--layout", "guix", "apply", "switch", "1", "--yes");
    expect(readText(root, "/var/log/activations")).toBe(`${path.join(root, guixSystem(1))}/activate  GUIX_NEW_SYSTEM=${guixSystem(1)}\n`);
    const grub = readText(root, "/boot/grub/grub.cfg") ?? "";
    expect(grub).toContain(
      `\tlinux /gnu/store/9xx0nlbyq7ihsnbnhhgp5gjrd2bxv0x7-linux-libre-6.8.9/bzImage root=guix-root gnu.system=${guixSystem(1)} gnu.load=${guixSystem(1)}/boot quiet loglevel=3 switchyard.system=${guixSystem(1)}\n`,
    );
  });

  it("malformed parameters are an error naming the file", async () => {
    const root = guixRoot(2, 2, { 1: "(boot-parameters (version 0) (label" });
    const d = JSON.parse((await ok(root, "--layout", "guix", "list", "--json")).stdout) as { generations: Array<{ error?: string }> };
    expect(d.generations[0]?.error).toBe(`${path.join(root, guixSystem(1))}/parameters: (file): not a boot-parameters s-expression: unclosed '(' at line 1, column 30`);
    expectError(await run(root, "--layout", "guix", "apply", "switch", "1", "--yes"), 2, `${path.join(root, guixSystem(1))}/parameters`);
  });
});

describe.concurrent("pin and unpin", () => {
  it("a pinned generation survives every delete, which says so; list shows pins", async () => {
    const root = simpleRoot(3);
    expect((await ok(root, "pin", "1")).stdout).toBe("pinned generation 1: no delete will remove it ('switchyard unpin 1' to undo)\n");
    expect((await ok(root, "pin", "1")).stdout).toBe("generation 1 is pinned already\n");
    expect((await ok(root, "list")).stdout).toMatch(/^\s+1 .* pinned$/m);
    expect(JSON.parse((await ok(root, "list", "--json")).stdout).generations.map((g: { pinned: boolean }) => g.pinned)).toEqual([true, false, false]);
    const deleted = await ok(root, "apply", "delete", "--yes");
    expect(deleted.stdout).toContain("warning: not removing generation 1, which is pinned\n");
    expect(deleted.stdout).toMatch(/^deleted generation 2 in [0-9.]+ s$/m);
    expectError(await run(root, "apply", "delete", "1", "--yes"), 1, "no matching generation (not removing generation 1, which is pinned)");
    expect((await ok(root, "unpin", "1")).stdout).toBe("unpinned generation 1\n");
    expect((await ok(root, "unpin", "1")).stdout).toBe("generation 1 is not pinned; nothing to do\n");
    await ok(root, "apply", "delete", "1", "--yes");
  });

  it("refuses a generation that does not exist, and a pins record it cannot read", async () => {
    const root = simpleRoot(3);
    expectError(await run(root, "pin", "9"), 2, "generation 9 does not exist; see 'switchyard list'");
    expectUsage(await run(root, "pin", "x"), "pin", "pin takes one generation number N");
    write(root, "/var/lib/switchyard/pins.json", "{\"version\": 1, \"pinned\": [0]}");
    expectError(await run(root, "list"), 2, `${path.join(root, "/var/lib/switchyard/pins.json")}: pinned[0]:`);
    expectError(await run(root, "apply", "delete", "--yes"), 2, "fix it or remove it");
  });
});

describe("--layout", () => {
  it("uses each system's profile path", async () => {
    const root = nixRoot(1, 1);
    expect((await ok(root, "--layout", "nix", "list")).stdout).toContain("current");
    expectError(await run(root, "--layout", "guix", "list"), 1, `no generations in ${path.join(root, "/var/guix/profiles")}`);
    expectUsage(await run(root, "--layout", "arch", "list"), "list", "--layout must be one of switchyard, nix, guix, not 'arch'");
  });
});

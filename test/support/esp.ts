/**
 * Real ESPs for tests: a small tmpfs mounted inside a machine's root (bootctl wants the ESP to be
 * the root of a file system), `bootctl list` read back (entries from `--json=short`, the default
 * from the text form, which systemd 252's JSON does not carry), and a `Disk` for the loaders'
 * simulation over the host file system (grubenv through the real `grub-editenv`).
 * A machine without mount rights or without bootctl fails these tests instead of skipping them.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Disk } from "./loaders.js";

export const mountTmpfs = (dir: string): void => {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot mount a tmpfs ESP at ${dir} (run the tests as root): ${r.stderr}`);
};

export const unmount = (dir: string): void => {
  spawnSync("umount", [dir]);
};

export interface BootctlEntry {
  readonly id: string;
  readonly path: string;
  readonly title: string;
  readonly triesLeft?: number;
  readonly triesDone?: number;
  readonly linux?: string;
  readonly initrd?: ReadonlyArray<string>;
  readonly options?: string;
}

const run = (esp: string, extra: ReadonlyArray<string>) => {
  const r = spawnSync("bootctl", [`--esp-path=${esp}`, `--boot-path=${esp}`, "--no-pager", "list", ...extra], {
    encoding: "utf8",
    env: { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: "1" },
  });
  if (r.error !== undefined) throw new Error(`bootctl not found: install systemd-boot (apt-get install systemd-boot); ${r.error.message}`);
  if (r.status !== 0) throw new Error(`bootctl list failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};

/** What bootctl makes of the ESP: its entries in boot order and the id of the default one. */
export const bootctl = (esp: string): { readonly entries: ReadonlyArray<BootctlEntry>; readonly default: string | null } => {
  const entries = run(esp, ["--json=short"])
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as BootctlEntry);
  let current: string | null = null;
  let isDefault = false;
  let chosen: string | null = null;
  for (const line of run(esp, []).split("\n")) {
    const title = /^\s*title: (.*)$/.exec(line);
    if (title !== null) isDefault = / \(default\)/.test(title[1] as string);
    const id = /^\s*id: (.*)$/.exec(line);
    if (id !== null) {
      current = (id[1] as string).trim();
      if (isDefault) chosen = current;
    }
  }
  return { entries, default: chosen };
};

const exists = (p: string): boolean => {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

export const editenv = (file: string, ...args: ReadonlyArray<string>): string => {
  const r = spawnSync("grub-editenv", [file, ...args], { encoding: "utf8" });
  if (r.error !== undefined) throw new Error(`grub-editenv not found: install grub-common; ${r.error.message}`);
  if (r.status !== 0) throw new Error(`grub-editenv ${file} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
};

/** The host file system as the loaders see it; grubenv read and saved with grub-editenv. */
export const hostDisk: Disk = {
  read: (p) => (exists(p) && fs.lstatSync(p).isFile() ? fs.readFileSync(p, "utf8") : null),
  exists,
  list: (dir) => (exists(dir) ? fs.readdirSync(dir).sort() : []),
  rename: (from, to) => {
    fs.renameSync(from, to);
    const fd = fs.openSync(path.dirname(to), "r");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  },
  readEnv: (p) =>
    exists(p)
      ? editenv(p, "list")
          .split("\n")
          .filter((l) => l.includes("="))
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const)
      : null,
  saveEnv: (p, vars) => {
    if (!exists(p)) editenv(p, "create");
    editenv(p, "set", ...vars.map(([n, v]) => `${n}=${v}`));
  },
};

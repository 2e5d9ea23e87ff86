/**
 * Resource faults on a real apply (`apply rollback` from generation 3 to 2): no space left on the
 * device (a small tmpfs, filled), permission denied (privileges dropped to nobody with setpriv),
 * a read-only file system (a read-only bind mount). Each must fail cleanly — exit 1 or 2, one
 * `switchyard: ` line naming the path and the cause, no stack trace — and leave the tree as it
 * was; when the fault hits after the commit point (the boot config is written after it), the same
 * line says so, the journal is kept, and once the cause is removed `recover` brings the root to
 * exactly the tree a fault-free apply gives.
 *
 * These need root (mount, chown, setpriv). Where the machine cannot make the condition, the test is
 * skipped and the reason printed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BIN, copyRoot, execIn, leftovers, removeSnapshot, show, works, type Exec, type ExecOptions } from "./faults-support.js";
import { cleanUp, Fixture, PROFILE, readLink, tempDir, treeHash, type GenerationSpec } from "./support.js";

// ---------------------------------------------------------------------------------------------------
// What this machine can do.

const NOBODY = 65534;
const DROP = ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"];
const isRoot = process.getuid?.() === 0;

const probe = (): { mount: string | null; bindRo: string | null; setpriv: string | null } => {
  if (!isRoot) {
    const why = `not running as root (uid ${process.getuid?.() ?? "?"})`;
    return { mount: why, bindRo: why, setpriv: why };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-probe-"));
  try {
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { encoding: "utf8" });
    const mount = mounted.status === 0 ? null : `cannot mount a tmpfs here (mount: ${(mounted.stderr || mounted.error?.message || "").trim()})`;
    if (mounted.status === 0) spawnSync("umount", [dir]);
    let bindRo: string | null = null;
    const bound = spawnSync("mount", ["--bind", dir, dir], { encoding: "utf8" });
    if (bound.status !== 0) bindRo = `cannot bind-mount here (mount: ${(bound.stderr || bound.error?.message || "").trim()})`;
    else {
      const ro = spawnSync("mount", ["-o", "remount,ro,bind", dir], { encoding: "utf8" });
      if (ro.status !== 0) bindRo = `cannot remount a bind mount read-only here (mount: ${ro.stderr.trim()})`;
      else {
        try {
          fs.writeFileSync(path.join(dir, "x"), "");
          bindRo = "a read-only bind mount is still writable here";
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EROFS") bindRo = `writing to a read-only bind mount gave ${(e as NodeJS.ErrnoException).code}, not EROFS`;
        }
      }
      spawnSync("umount", [dir]);
    }
    let setpriv: string | null = null;
    if (!works("setpriv", ["--version"])) setpriv = "setpriv is not installed";
    else if (!works(DROP[0] as string, [...DROP.slice(1), process.execPath, BIN, "--version"])) {
      setpriv = `uid ${NOBODY} cannot run node and ${BIN} (setpriv … node switchyard --version failed)`;
    }
    return { mount, bindRo, setpriv };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

const cannot = probe();
for (const [what, why] of Object.entries(cannot)) if (why !== null) console.log(`resources.test.ts: skipping the ${what} tests: ${why}`);

const skipIf = (why: string | null, name: string) => {
  if (why !== null) console.log(`SKIPPED '${name}': ${why}`);
  return why !== null;
};

// ---------------------------------------------------------------------------------------------------
// Mounts are always undone.

const mounts: Array<string> = [];
const mount = (...args: ReadonlyArray<string>): void => {
  const target = args[args.length - 1] as string;
  const r = spawnSync("mount", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`mount ${args.join(" ")} failed: ${r.stderr}`);
  mounts.push(target);
};
const unmountAll = (): void => {
  for (const target of mounts.splice(0).reverse()) {
    if (spawnSync("umount", [target]).status !== 0) spawnSync("umount", ["-l", target]);
  }
};
afterEach(unmountAll);
afterAll(() => {
  unmountAll();
  cleanUp();
  removeSnapshot();
});

// ---------------------------------------------------------------------------------------------------
// Roots.

const EXCLUDE_NOTHING = {};
const profileMovable = { profileLinkMtime: false };

/**
 * A root built on disk and copied into `into` (so that every copy, the reference ones included,
 * has the same link times). `bigBoot`: kernel parameters that make the boot config about 600 KiB,
 * so that it is staged before the journal (a file under 64 KiB keeps its bytes in the journal), and
 * staging it can be made to fail for want of space while the (smaller) lock fits.
 */
const buildBase = (bigBoot = false): string => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const params = bigBoot ? Array.from({ length: 100 }, (_, i) => `opt${i}=${"v".repeat(2000)}`) : undefined;
  const generations: Array<GenerationSpec> = [1, 2, 3].map((number) => (params === undefined ? { number } : { number, params }));
  const base = path.join(dir, "base");
  Fixture.makeRoot(base, { generations, current: 3, running: 3, booted: 3 });
  return base;
};

/** The tree a fault-free `apply rollback` gives, on a copy of `base`. */
const referenceNew = async (base: string): Promise<{ hash: string; grubBytes: number }> => {
  const dir = tempDir();
  const root = copyRoot(base, path.join(dir, "root"));
  const r = await execIn(root, APPLY);
  expect(r.code, show(r)).toBe(0);
  return { hash: treeHash(root, profileMovable), grubBytes: fs.statSync(path.join(root, "boot/grub/grub.cfg")).size };
};

const APPLY = ["apply", "rollback", "--yes"];

/** One `switchyard: ` line naming `where` and `cause`, exit 1 or 2, no stack trace. */
const expectCleanFailure = (r: Exec, where: string | RegExp, cause: string): string => {
  expect([1, 2], show(r)).toContain(r.code);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("switchyard: "));
  expect(errors, r.stderr).toHaveLength(1);
  const line = errors[0] as string;
  if (typeof where === "string") expect(line).toContain(where);
  else expect(line).toMatch(where);
  expect(line).toContain(cause);
  return line;
};

/**
 * A file the plan writes cannot be staged (the files are staged before the journal): one clean
 * failure naming it, nothing changed but perhaps the layout marker, no leftovers; once `fix` has
 * run, the same apply gives exactly the reference tree.
 */
const failsBeforeJournal = async (root: string, cause: string, fix: () => void, expected: string, as: ExecOptions = {}): Promise<void> => {
  const before = treeHash(root, { exclude: ["/var/lib/switchyard/layout.v1"] });
  const r = await execIn(root, APPLY, as);
  const line = expectCleanFailure(r, /\/boot\/grub\/\.grub\.cfg/, cause);
  expect(line).toMatch(/nothing was changed/);
  expect(treeHash(root, { exclude: ["/var/lib/switchyard/layout.v1"] }), "nothing changed").toBe(before);
  expect(leftovers(root)).toEqual([]);
  expect(readLink(root, PROFILE)).toBe("system-3-link");
  fix();
  const again = await execIn(root, APPLY, as);
  expect(again.code, show(again)).toBe(0);
  expect(treeHash(root, profileMovable), "the apply then gives the new tree").toBe(expected);
};

// ---------------------------------------------------------------------------------------------------

describe("ENOSPC: a small tmpfs, filled", () => {
  const mountSmall = (base: string, sizeMiB: number): { root: string; filler: string } => {
    const mnt = tempDir();
    mount("-t", "tmpfs", "-o", `size=${sizeMiB}m,mode=0755`, "tmpfs", mnt);
    const root = copyRoot(base, path.join(mnt, "root"));
    return { root, filler: path.join(mnt, "filler") };
  };

  /** Fill the file system completely, then give back `free` bytes. */
  const fill = (filler: string, free: number): void => {
    const fd = fs.openSync(filler, "w");
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
    }
    // A partial last chunk may have gone in; top up byte-wise until nothing fits.
    try {
      for (;;) fs.writeSync(fd, chunk, 0, 512);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
    }
    const size = fs.fstatSync(fd).size;
    fs.ftruncateSync(fd, Math.max(0, size - free));
    fs.closeSync(fd);
  };

  it.skipIf(skipIf(cannot.mount, "ENOSPC: a full file system"))("a full file system: the lock cannot be written; clean failure, tree unchanged; after freeing space the apply succeeds", async () => {
    const base = buildBase();
    const expected = await referenceNew(base);
    const { root, filler } = mountSmall(base, 2);
    const before = treeHash(root, EXCLUDE_NOTHING);
    fill(filler, 0);
    const r = await execIn(root, APPLY);
    expectCleanFailure(r, root, "no space left on device");
    expect(treeHash(root, EXCLUDE_NOTHING), "nothing changed").toBe(before);
    fs.rmSync(filler);
    const again = await execIn(root, APPLY);
    expect(again.code, show(again)).toBe(0);
    expect(treeHash(root, profileMovable)).toBe(expected.hash);
  });

  it.skipIf(skipIf(cannot.mount, "ENOSPC: the journal"))("room for the lock but not the journal: clean failure naming what it could not write, tree unchanged but for the layout marker", async () => {
    const base = buildBase(true);
    const { root, filler } = mountSmall(base, 8);
    const before = treeHash(root, { exclude: ["/var/lib/switchyard/layout.v1"] });
    fill(filler, 16 * 1024);
    const r = await execIn(root, APPLY);
    // The boot config is staged before the journal: it is what does not fit.
    expectCleanFailure(r, new RegExp(`${root}/(var/lib/switchyard/|boot/grub/\\.grub\\.cfg)`), "no space left on device");
    // The layout marker (written before the journal, 37 bytes) may be there; it is not part of the transition.
    expect(treeHash(root, { exclude: ["/var/lib/switchyard/layout.v1"] }), `nothing changed: ${fs.readdirSync(path.join(root, "var/lib/switchyard")).join(", ")}`).toBe(before);
    expect(leftovers(root)).toEqual([]);
    expect(readLink(root, PROFILE)).toBe("system-3-link");
  });

  it.skipIf(skipIf(cannot.mount, "ENOSPC: the boot config"))("room for the journal but not the boot config: clean failure naming grub.cfg before anything changed; after freeing space the apply gives the new tree", async () => {
    const base = buildBase(true);
    const expected = await referenceNew(base);
    const { root, filler } = mountSmall(base, 8);
    // The journal no longer holds the boot config's bytes: it fits in a fraction of them.
    fill(filler, expected.grubBytes / 2);
    await failsBeforeJournal(root, "no space left on device", () => fs.rmSync(filler), expected.hash);
  });
});

describe("EACCES: privileges dropped to nobody", () => {
  const asNobody: ExecOptions = { wrapper: DROP };
  const why = cannot.setpriv;

  it.skipIf(skipIf(why, "EACCES: a root owned by root"))("a root owned by root (0755): clean failure naming the lock, tree unchanged", async () => {
    const base = buildBase();
    const root = copyRoot(base, path.join(path.dirname(base), "root"));
    const before = treeHash(root, EXCLUDE_NOTHING);
    const r = await execIn(root, APPLY, asNobody);
    expectCleanFailure(r, `${root}/var/lib/switchyard/lock`, "permission denied");
    expect(treeHash(root, EXCLUDE_NOTHING)).toBe(before);
  });

  it.skipIf(skipIf(why, "EACCES: /boot/grub owned by root"))("a root owned by nobody but /boot/grub: clean failure naming grub.cfg before anything changed; once it is writable the apply gives the new tree", async () => {
    const base = buildBase(true);
    const expected = await referenceNew(base);
    const root = copyRoot(base, path.join(path.dirname(base), "root"));
    const chownTree = (p: string): void => {
      fs.lchownSync(p, NOBODY, NOBODY);
      if (fs.lstatSync(p).isDirectory()) for (const n of fs.readdirSync(p)) chownTree(path.join(p, n));
    };
    chownTree(root);
    const grubDir = path.join(root, "boot/grub");
    fs.chownSync(grubDir, 0, 0);
    fs.chmodSync(grubDir, 0o755);
    await failsBeforeJournal(root, "permission denied", () => fs.chownSync(grubDir, NOBODY, NOBODY), expected.hash, asNobody);
  });
});

describe("EROFS: a read-only bind mount", () => {
  const why = cannot.bindRo;

  it.skipIf(skipIf(why, "EROFS: the whole root"))("the whole root read-only: clean failure naming the lock, tree unchanged", async () => {
    const base = buildBase();
    const root = copyRoot(base, path.join(path.dirname(base), "root"));
    const before = treeHash(root, EXCLUDE_NOTHING);
    mount("--bind", root, root);
    mount("-o", "remount,ro,bind", root);
    mounts.pop(); // the remount is the same mount point: unmount it once
    const r = await execIn(root, APPLY);
    expectCleanFailure(r, `${root}/var/lib/switchyard/lock`, "read-only file system");
    unmountAll();
    expect(treeHash(root, EXCLUDE_NOTHING)).toBe(before);
  });

  it.skipIf(skipIf(why, "EROFS: /boot/grub"))("/boot/grub read-only: clean failure naming grub.cfg before anything changed; once it is writable the apply gives the new tree", async () => {
    const base = buildBase(true);
    const expected = await referenceNew(base);
    const root = copyRoot(base, path.join(path.dirname(base), "root"));
    const grubDir = path.join(root, "boot/grub");
    mount("--bind", grubDir, grubDir);
    mount("-o", "remount,ro,bind", grubDir);
    mounts.pop();
    await failsBeforeJournal(root, "read-only file system", unmountAll, expected.hash);
  });
});

/**
 * Helpers for the trust-boundary tests (confinement, state files, limits): a sentinel directory
 * outside the root that nothing may touch, a check that a refusal changed nothing inside the root
 * or outside it, a journal left by a real interrupted apply, and a shell helper that plays an
 * apply finishing at an exact moment.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { copyRoot, execIn, type Exec } from "./faults-support.js";
import { expectError, type Result, run, tempDir, treeHash } from "./support.js";

export interface Sentinel {
  /** A directory outside any root, holding a few files. */
  readonly dir: string;
  readonly hash: () => string;
}

/** A fresh directory outside the root, with something in it to lose. */
export const sentinel = (): Sentinel => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "secret"), "the host's own file\n");
  fs.mkdirSync(path.join(dir, "grub"));
  fs.writeFileSync(path.join(dir, "grub", "grub.cfg"), "# the host's own boot menu\n");
  return { dir, hash: () => treeHash(dir) };
};

/** Fingerprints of the root and the sentinel, to compare after a command. */
export const fingerprint = (root: string, outside: Sentinel, exclude: ReadonlyArray<string> = []) => ({
  root: treeHash(root, { exclude }),
  outside: outside.hash(),
});

/**
 * Run `args`; expect exactly one error line containing `message`, exit `code`, and neither the
 * root (but `exclude`) nor the sentinel changed.
 */
export const refusesUntouched = async (
  root: string,
  outside: Sentinel,
  args: ReadonlyArray<string>,
  code: number,
  message: string | RegExp,
  exclude: ReadonlyArray<string> = [],
): Promise<Result> => {
  const before = fingerprint(root, outside, exclude);
  const r = await run(root, ...args);
  expect(fingerprint(root, outside, exclude), `switchyard ${args.join(" ")} changed something; stderr:\n${r.stderr}`).toEqual(before);
  expectError(r, code, message);
  return r;
};

/**
 * Write the state directory's layout marker, as the first apply does, so that a test's "nothing
 * changed" is not about the marker (a failed apply that was reverted keeps it).
 */
export const stamped = (root: string): string => {
  fs.writeFileSync(path.join(root, "var/lib/switchyard/layout.v1"), "switchyard state directory layout v1\n");
  return root;
};

/** Replace the in-root directory `inRoot` by a symlink holding `target`, after moving it to `movedTo` (if given). */
export const linkOut = (root: string, inRoot: string, target: string, movedTo?: string): void => {
  const at = path.join(root, inRoot);
  if (movedTo !== undefined) fs.renameSync(at, movedTo);
  else fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(target, at);
};

/** The failpoint labels `args` passes, in order (SWITCHYARD_FAILPOINT=count, on a copy of the root: counting runs the command). */
export const failpoints = async (root: string, args: ReadonlyArray<string>): Promise<ReadonlyArray<string>> => {
  const copy = copyRoot(root, path.join(tempDir(), "root"));
  const r = await execIn(copy, args, { env: { SWITCHYARD_FAILPOINT: "count" } });
  return [...r.stderr.matchAll(/^failpoint [0-9]+ (\S+)$/gm)].map((m) => m[1] as string);
};

/**
 * Kill `args` (SIGKILL, no cleanup) right after its journal was written: the journal of an apply
 * that did nothing yet, and its dead holder's lock, are left.
 */
export const interruptAfterJournal = async (root: string, args: ReadonlyArray<string>): Promise<Exec> => {
  const labels = await failpoints(root, args);
  const at = labels.indexOf("journal:begun");
  if (at < 0) throw new Error(`${args.join(" ")} passes no journal:begun failpoint: ${labels.join(", ")}`);
  const r = await execIn(root, args, { env: { SWITCHYARD_FAILPOINT: String(at + 1) } });
  expect(r.signal, `the apply was to die at journal:begun:\n${r.stderr}`).toBe("SIGKILL");
  return r;
};

/** Make a FIFO at `file` (mkfifo). */
export const mkfifo = (file: string): void => {
  const r = spawnSync("mkfifo", [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file}: ${r.stderr}`);
};

/**
 * The end of an apply, played at an exact moment: wait until someone opens `fifo` (a lock file)
 * for reading, then remove `journal`, then the lock, and only then let the reader have its bytes.
 * Whoever read the journal before the lock sees the journal there and then no holder.
 */
export const finishWhenLockIsRead = (fifo: string, journal: string): Promise<number | null> =>
  new Promise((resolve) => {
    const script = 'exec 3>"$1"; rm -rf "$2"; rm -f "$1"; printf "{\\"being\\": \\"written\\"" >&3; exec 3>&-';
    const child = spawn("sh", ["-c", script, "sh", fifo, journal], { stdio: "ignore" });
    child.on("close", (code) => resolve(code));
  });

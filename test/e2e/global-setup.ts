/**
 * Builds the CLI bundle (`node scripts/build.mjs` → packages/cli/dist) for the end-to-end tests.
 * Usable as a vitest `globalSetup` (it runs in the main process) and called by support.ts in each
 * worker, so the e2e files work whether or not the config registers it: the build happens once
 * per vitest run, named by the main process's pid (a worker's parent).
 *
 * A worker must not rebuild while another runs the binary: the bundle loads its chunks lazily by
 * hashed name, so a swapped-in bundle can pull them away mid-command. A mkdir lock serialises the
 * workers and a stamp file tells the later ones that this run's build is done.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BUNDLE = path.join(REPO, "packages/cli/dist/launch.cjs");
const stateDir = path.join(os.tmpdir(), `switchyard-e2e-${crypto.createHash("sha256").update(REPO).digest("hex").slice(0, 12)}`);
const lockDir = `${stateDir}.lock`;
const stampFile = path.join(stateDir, "built-for");
const STALE_LOCK_MS = 120_000;
/** A build takes seconds; one that has not ended in five minutes never will. */
const BUILD_TIMEOUT_MS = 300_000;

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const builtFor = (run: number): boolean => {
  try {
    return fs.readFileSync(stampFile, "utf8") === String(run) && fs.existsSync(BUNDLE);
  } catch {
    return false;
  }
};

const lock = (): void => {
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // A lock left behind by a killed run is older than any real build takes.
      const st = fs.statSync(lockDir, { throwIfNoEntry: false });
      if (st !== undefined && Date.now() - st.mtimeMs > STALE_LOCK_MS) fs.rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      sleep(100);
    }
  }
};

/** Build the bundle unless this vitest run (`run`: the main process's pid) already has. */
export const ensureBuilt = (run: number = process.ppid): void => {
  if (builtFor(run)) return;
  lock();
  try {
    if (builtFor(run)) return;
    const r = spawnSync(process.execPath, [path.join(REPO, "scripts/build.mjs")], { cwd: REPO, encoding: "utf8", timeout: BUILD_TIMEOUT_MS, killSignal: "SIGKILL" });
    if (r.status !== 0) throw new Error(`node scripts/build.mjs failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(stampFile, String(run));
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
};

/** vitest globalSetup: runs in the main process, whose pid is every worker's parent. */
export default function setup(): void {
  ensureBuilt(process.pid);
}

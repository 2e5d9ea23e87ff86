/**
 * Helpers for the fault tests (crash.test.ts, concurrency.test.ts, resources.test.ts), on top of
 * support.ts: running the binary with an environment, extra node flags or a wrapper (setpriv) and
 * getting back how it ended even when it was killed by a signal; copying a root exactly (symlink
 * mtimes included, which fs.cpSync does not keep); running jobs in bounded parallel batches; and
 * finding what an apply must never leave behind (temp files, a journal, a lock).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN as REPO_BIN, REPO } from "./support.js";

/**
 * A private copy of the built binary, taken once per test file. The binary loads its second bundle
 * (and each bundle's code cache) only once a command runs, so a `node scripts/build.mjs` run
 * elsewhere (another test run) while a test's processes are starting could hand them a
 * bundle of another build. The copy is the same binary, only immune to that. It is readable by
 * everyone, so it can also be run with dropped privileges.
 */
let snapshotDir: string | null = null;

/** Remove the private copy (call from afterAll; vitest's workers do not always run exit handlers). */
export const removeSnapshot = (): void => {
  if (snapshotDir !== null) fs.rmSync(snapshotDir, { recursive: true, force: true });
  snapshotDir = null;
};

const snapshot = (): string => {
  const dist = path.join(path.dirname(REPO_BIN), "../dist");
  for (let attempt = 1; ; attempt++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-bin-"));
    try {
      fs.cpSync(dist, path.join(dir, "dist"), { recursive: true });
      fs.cpSync(path.dirname(REPO_BIN), path.join(dir, "bin"), { recursive: true });
      // Complete: both bundles, each with the cache its last line names (a build swaps dist whole).
      for (const name of ["switchyard", "launch"]) {
        const source = fs.readFileSync(path.join(dir, "dist", `${name}.cjs`), "utf8");
        const digest = /\/\/ switchyard bundle ([0-9a-f]+)\n$/.exec(source)?.[1];
        if (digest === undefined || !fs.existsSync(path.join(dir, "dist", `${name}.${digest}.cache`))) throw new Error(`the copy of ${name}.cjs has no cache`);
      }
      const walk = (p: string): void => {
        fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
        if (fs.statSync(p).isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
      };
      walk(dir);
      snapshotDir = dir;
      process.on("exit", removeSnapshot);
      return path.join(dir, "bin/switchyard.js");
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      if (attempt >= 20) throw e;
      spawnSync("sleep", ["0.25"]);
    }
  }
};

/** The binary the fault tests run: a private copy of packages/cli/bin/switchyard.js and its bundle. */
export const BIN = snapshot();

export interface Exec {
  /** Exit status, or null when the process was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

export interface ExecOptions {
  /** Added to the test's environment (TZ=UTC is always set). */
  readonly env?: Readonly<Record<string, string>>;
  /** Flags for node itself, before the binary (e.g. `--import` of a frozen clock). */
  readonly nodeArgs?: ReadonlyArray<string>;
  /** A command that execs node, e.g. ["setpriv", "--reuid=65534", …]. */
  readonly wrapper?: ReadonlyArray<string>;
  readonly timeoutMs?: number;
}

/** `switchyard ARGS...` as a child process; never rejects on a signal, it reports it. */
export const exec = (args: ReadonlyArray<string>, options: ExecOptions = {}): Promise<Exec> =>
  new Promise((resolve, reject) => {
    const argv = [...(options.wrapper ?? []), process.execPath, ...(options.nodeArgs ?? []), BIN, ...args];
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: REPO,
      env: { ...process.env, TZ: "UTC", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Array<Buffer> = [];
    const stderr: Array<Buffer> = [];
    child.stdout.on("data", (b: Buffer) => stdout.push(b));
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        pid: child.pid ?? -1,
      });
    });
  });

/** `switchyard --root ROOT ARGS...`. */
export const execIn = (root: string, args: ReadonlyArray<string>, options: ExecOptions = {}): Promise<Exec> =>
  exec(["--root", root, ...args], options);

/** Describes a run for assertion messages. */
export const show = (r: Exec): string => `exit ${r.code ?? r.signal}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

/**
 * Copy a root exactly: symlinks verbatim (their absolute in-root targets must not be rewritten)
 * and with their own mtimes (a generation's creation time is its link's mtime; fs.cpSync gives
 * copied symlinks the time of the copy). Copies of one source are identical to each other; the
 * source itself may differ in sub-millisecond link times, so compare copies with copies. `skip`
 * leaves out entries by in-root path (e.g. a running supervisor's FIFOs, which cannot be copied).
 */
export const copyRoot = (from: string, to: string, skip: (inRoot: string) => boolean = () => false): string => {
  const filter = (source: string): boolean => !skip(`/${path.relative(from, source)}`);
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, filter });
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
      const r = path.join(rel, entry.name);
      if (!filter(path.join(from, r))) continue;
      if (entry.isDirectory()) walk(r);
      else if (entry.isSymbolicLink()) {
        const st = fs.lstatSync(path.join(from, r));
        fs.lutimesSync(path.join(to, r), st.atimeMs / 1000, st.mtimeMs / 1000);
      }
    }
  };
  walk("");
  return to;
};

/** Run `job` over `items`, at most `width` at a time; results in the order of `items`. */
export const inBatches = async <T, R>(items: ReadonlyArray<T>, width: number, job: (item: T, index: number) => Promise<R>): Promise<Array<R>> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await job(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
};

/**
 * What a finished (or recovered) apply must not leave in a root: temp siblings of atomic writes,
 * the journal or its staging/cleanup directories, the lock or its takeover file. In-root paths.
 */
export const leftovers = (root: string): Array<string> => {
  const found: Array<string> = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = `${rel}/${entry.name}`;
      if (entry.name.includes(".switchyard-tmp-") || /^\.journal-(new|done)-/.test(entry.name)) found.push(r);
      else if (rel === "/var/lib/switchyard" && ["journal", "lock", "lock.takeover"].includes(entry.name)) found.push(r);
      if (entry.isDirectory()) walk(r);
    }
  };
  walk("");
  return found.sort();
};

/**
 * Node flags that freeze `Date.now()` in the binary (it reads the time only through it), so that a
 * command that stamps the time (`add`: the link's mtime, the menu entry's date) gives the same
 * tree in every run. The module is a data: URL, so nothing is written anywhere.
 */
export const frozenClock = (nowMs: number): ReadonlyArray<string> => [
  "--import",
  `data:text/javascript,Date.now=()=>${Math.trunc(nowMs)};`,
];

/** Whether `command ARGS` can be run here and exits 0 (used to decide whether a test can run). */
export const works = (command: string, args: ReadonlyArray<string>): boolean => {
  const r = spawnSync(command, args, { stdio: "ignore" });
  return r.error === undefined && r.status === 0;
};

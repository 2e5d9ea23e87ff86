/**
 * End-to-end helpers: build a temp root with scripts/fixture.mjs, run the bundled `switchyard`
 * binary on it the way a user would (no TTY, TZ=UTC), and fingerprint the whole root so a test can
 * say "nothing changed" in one comparison. Importing this module makes sure the bundle exists.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect } from "vitest";
import { ensureBuilt } from "./global-setup.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = path.join(REPO, "packages/cli/bin/switchyard.js");

// The bundle is built once per vitest run, whichever worker gets here first (see global-setup.ts).
ensureBuilt();

// ---------------------------------------------------------------------------------------------------
// The fixture (plain JS in scripts/, typed here).

export interface ServiceSpec {
  readonly name: string;
  readonly start: ReadonlyArray<string>;
  readonly requires?: ReadonlyArray<string>;
  readonly [field: string]: unknown;
}

export interface GenerationSpec {
  readonly number: number;
  readonly label?: string;
  readonly services?: ReadonlyArray<ServiceSpec>;
  readonly activate?: "ok" | "fail" | null;
  readonly createdMs?: number;
  /** Written as JSON, or verbatim when a string. */
  readonly manifest?: unknown;
  readonly system?: string;
  readonly params?: ReadonlyArray<string>;
}

export interface RootOptions {
  readonly generations: ReadonlyArray<GenerationSpec>;
  readonly current?: number | null;
  readonly running?: number | null;
  readonly booted?: number | null;
  readonly config?: unknown;
  readonly nowMs?: number;
}

interface FixtureModule {
  readonly PROFILE_DIR: string;
  storeName(seed: number, name: string): string;
  makeSystem(root: string, spec: GenerationSpec): string;
  link(root: string, path: string, target: string, mtimeMs?: number): void;
  makeRoot(root: string, options: RootOptions): { root: string; systems: Map<number, string> };
  exists(root: string, path: string): boolean;
  demoGenerations(): Array<GenerationSpec>;
}

// A computed specifier: the fixture has no declarations and allowJs is off, so it is typed here.
export const Fixture = (await import(pathToFileURL(path.join(REPO, "scripts/fixture.mjs")).href)) as FixtureModule;
export const PROFILE_DIR = Fixture.PROFILE_DIR;
export const PROFILE = `${PROFILE_DIR}/system`;
export const linkOf = (n: number): string => `${PROFILE_DIR}/system-${n}-link`;
/** The in-root system directory the fixture gives generation `n` by default. */
export const systemOf = (n: number): string => Fixture.storeName(n, `example-os-${n}`);

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const roots: Array<string> = [];

/** A fresh temp directory holding a root built by the fixture. */
export const tempRoot = (options: RootOptions): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-e2e-root-"));
  roots.push(dir);
  Fixture.makeRoot(dir, options);
  return dir;
};

/** A fresh temp directory outside any root (for saved plans). */
export const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-e2e-"));
  roots.push(dir);
  return dir;
};

/** Remove every directory made by tempRoot/tempDir in this file (call from afterAll). */
export const cleanUp = (): void => {
  for (const dir of roots.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
};

/** Generations 1 to 3 with working activation scripts; `current` is also the running and booted one. */
export const simpleRoot = (current = 3, extra: Partial<RootOptions> = {}): string =>
  tempRoot({ generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current, running: current, booted: current, ...extra });

// ---------------------------------------------------------------------------------------------------
// Running the binary.

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `switchyard --root ROOT ARGS...`, as a user runs it: no terminal, UTC. */
export const run = (root: string, ...args: ReadonlyArray<string>): Promise<Result> => runRaw(["--root", root, ...args]);

/**
 * `switchyard ARGS...` without `--root`. Asynchronous, so the tests of a file can run concurrently:
 * most of the suite's time is node starting the binary.
 */
export const runRaw = (args: ReadonlyArray<string>): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Array<Buffer> = [];
    const stderr: Array<Buffer> = [];
    child.stdout.on("data", (b: Buffer) => stdout.push(b));
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString("utf8");
      const err = Buffer.concat(stderr).toString("utf8");
      if (code === null) reject(new Error(`switchyard ${args.join(" ")} was killed by ${signal}\n${out}${err}`));
      else resolve({ code, stdout: out, stderr: err });
    });
  });

/** Run and expect success; a failure shows the command and its stderr. */
export const ok = async (root: string, ...args: ReadonlyArray<string>): Promise<Result> => {
  const r = await run(root, ...args);
  expect(r.code, `switchyard ${args.join(" ")} exited ${r.code}:\n${r.stderr}`).toBe(0);
  return r;
};

/**
 * A refusal as a user sees it: the exit code, exactly one line on stderr beginning `switchyard: `
 * that contains `message`, and no stack trace anywhere.
 */
export const expectError = (r: Result, code: number, message: string | RegExp): void => {
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(code);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).not.toMatch(/^\s+at /m);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^switchyard: /);
  if (typeof message === "string") expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
};

// ---------------------------------------------------------------------------------------------------
// Looking at the root.

/** A command line COMMAND refused before anything ran: one line `switchyard COMMAND: …`, exit 2. */
export const expectUsage = (r: Result, command: string, message: string): void => {
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(2);
  expect(r.stdout).toBe("");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^switchyard ${command}: `));
  expect(lines[0]).toContain(message);
};

export const host = (root: string, inRoot: string): string => path.join(root, inRoot);
export const readLink = (root: string, inRoot: string): string | null => {
  try {
    return fs.readlinkSync(host(root, inRoot));
  } catch {
    return null;
  }
};
export const readText = (root: string, inRoot: string): string | null => {
  try {
    return fs.readFileSync(host(root, inRoot), "utf8");
  } catch {
    return null;
  }
};
export const exists = (root: string, inRoot: string): boolean => fs.lstatSync(host(root, inRoot), { throwIfNoEntry: false }) !== undefined;
export const activations = (root: string): ReadonlyArray<string> => (readText(root, "/var/log/activations") ?? "").split("\n").filter((l) => l !== "");
export const generationNumbers = (root: string): ReadonlyArray<number> =>
  fs
    .readdirSync(host(root, PROFILE_DIR))
    .flatMap((e) => /^system-([0-9]+)-link$/.exec(e)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b);

export interface TreeHashOptions {
  /** In-root paths left out with everything below them, e.g. "/var/log". */
  readonly exclude?: ReadonlyArray<string>;
  /**
   * Whether the profile link's own mtime counts (default true). Every switch rewrites the link,
   * so "switch there and back restores every byte" compares with this off.
   */
  readonly profileLinkMtime?: boolean;
}

/** A cache any command may write (see IndexFile.ts), its top file and its columns; never part of the machine's state. */
export const INDEX = "/var/lib/switchyard/generations-index.json";
export const INDEX_COLUMNS = "/var/lib/switchyard/generations-index.columns";

/**
 * sha256 over a sorted walk of the whole root: each entry's relative path, kind, permission bits,
 * and its symlink target or file bytes. Regular files' and directories' mtimes are left out; the
 * mtimes of symlinks in the profile directory count, since a generation's creation time is its
 * link's mtime. The generations index, a cache, is left out too.
 */

export const treeHash = (root: string, options: TreeHashOptions = {}): string => {
  const exclude = new Set([...(options.exclude ?? []), INDEX, INDEX_COLUMNS]);
  const hash = crypto.createHash("sha256");
  const walk = (rel: string): void => {
    const full = rel === "" ? root : path.join(root, rel);
    for (const name of fs.readdirSync(full).sort()) {
      const inRoot = `${rel}/${name}`;
      if (exclude.has(inRoot) || (rel === "/var/lib/switchyard" && name.startsWith(".generations-index."))) continue;
      const file = path.join(full, name);
      const st = fs.lstatSync(file, { bigint: true });
      const mode = (Number(st.mode) & 0o7777).toString(8);
      if (st.isSymbolicLink()) {
        const timed = rel === PROFILE_DIR && (options.profileLinkMtime !== false || inRoot !== PROFILE);
        hash.update(`L ${inRoot} ${mode} -> ${fs.readlinkSync(file)}${timed ? ` @${st.mtimeNs}` : ""}\0`);
      } else if (st.isDirectory()) {
        hash.update(`D ${inRoot} ${mode}\0`);
        walk(inRoot);
      } else if (st.isFile()) {
        hash.update(`F ${inRoot} ${mode} ${st.size}\0`);
        hash.update(fs.readFileSync(file));
        hash.update("\0");
      } else {
        hash.update(`O ${inRoot} ${mode}\0`);
      }
    }
  };
  walk("");
  return hash.digest("hex");
};

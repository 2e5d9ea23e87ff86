// `npm run bench` (builds first): the real `switchyard` binary on profiles of 1,000 and 10,000
// generations against Debian's `nix-env` on an identical profile when it is installed, measured
// interleaved (ours, theirs, ours, theirs, each beside its baseline: `node -e 0` for ours,
// `/bin/true` for theirs), so a loaded machine slows both alike; the start-up cost; the system calls
// each makes (strace -c); and the pure planner on 10,000 generations x 1,000 services.
// Benchmarks report; they never fail on speed. They do fail if a command fails, or if a profile is
// not back in its starting state after the runs, since then the numbers would not mean anything.
// See docs/benchmarks.md for what each number means.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { PROFILE_DIR, link, storeName } from "./fixture.mjs";

const repo = new URL("..", import.meta.url).pathname;
const bin = join(repo, "packages/cli/bin/switchyard.js");
const floorScript = join(repo, "scripts/list-floor.cjs");
if (!existsSync(join(repo, "packages/cli/dist/launch.cjs"))) {
  console.error("bench: packages/cli/dist is missing; run 'npm run bench' (it builds first) or 'npm run build'");
  process.exit(2);
}

/** Profile sizes; `SWITCHYARD_BENCH_SIZES=200,2000` for a quicker look. */
const SIZES = (process.env.SWITCHYARD_BENCH_SIZES ?? "1000,10000").split(",").map(Number);
/** Interleaved rounds per row: each round runs every command of the row once. */
const roundsFor = (n) => (n >= 10_000 ? 5 : 9);
const STARTUP_ROUNDS = 15;
const PLANNER = { generations: Number(process.env.SWITCHYARD_BENCH_PLANNER ?? 10_000), services: 1_000, runs: 7 };
const HOUR = 3_600_000;
/** How long a profile must be left alone before the generations index trusts what it saw (see GenerationsIndex). */
const SETTLE_MS = 300;

const log = (line) => process.stderr.write(`bench: ${line}\n`);
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
const cleanup = () => rmSync(work, { recursive: true, force: true });
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// ---------------------------------------------------------------------------------------------------
// Measuring one process

/** GNU time, when present, gives each run's peak RSS and CPU time; its own fork+exec is well under 1 ms. */
const gnuTime = (() => {
  const out = join(work, "time-probe");
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", "-o", out, "true"], { stdio: "ignore" });
  return r.status === 0 && existsSync(out) && /^\d+ /.test(readFileSync(out, "utf8").trim().split("\n").pop() ?? "");
})();
const timeFile = join(work, "time-out");

/** Run argv to completion; wall ms measured here around the spawn, RSS and CPU from GNU time. */
const runOnce = (argv, env) => {
  const [cmd, ...args] = gnuTime ? ["/usr/bin/time", "-f", "%M %U %S", "-o", timeFile, ...argv] : argv;
  // (GNU time's CPU times have a 10 ms step: too coarse beside these work times, so only RSS is used.)
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error !== undefined || r.status !== 0) {
    const err = r.error?.message ?? r.stderr?.toString().trim().split("\n").slice(-5).join("\n");
    throw new Error(`${argv.join(" ").slice(0, 200)} failed (exit ${r.status}): ${err}`);
  }
  if (!gnuTime) return { wallMs, rssKb: null, cpuMs: null };
  const [rss, user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").pop().split(" ").map(Number);
  return { wallMs, rssKb: rss, cpuMs: (user + sys) * 1000 };
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const stats = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });

/** Interleaved rounds: each round runs every entrant once, in order, each one's `before` (untimed) first. */
const race = (rounds, entrants) => {
  const samples = entrants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    entrants.forEach((e, i) => {
      e.before?.();
      samples[i].push(runOnce(e.argv, e.env));
      e.after?.();
    });
  }
  return samples;
};

/** Per round, the entrant's wall time minus its baseline's in the same round. */
const minus = (samples, of, base) => samples[of].map((s, k) => s.wallMs - samples[base][k].wallMs);

// ---------------------------------------------------------------------------------------------------
// The profiles

// Named like a NixOS system closure, so link targets are as long as real ones (about 90 bytes).
const systemOf = (i) => storeName(i, `nixos-system-machine-24.11.20241120.${(i * 2654435761 >>> 0).toString(16).padStart(8, "0").slice(0, 7)}-${i}`);
const createdMs = (n, i, nowMs) => nowMs - (n - i + 1) * HOUR;

/** A small manifest (three services, one changing every third generation), so every rollback has a diff. */
const manifestText = (i) =>
  `${JSON.stringify({
    schema: 1,
    label: `Example OS 24.11 (Linux 6.8.${i})`,
    boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] },
    services: [
      { name: "db", start: ["/bin/sleep", "infinity"], env: { DB_CACHE: `${256 + Math.floor(i / 3)}M` } },
      { name: "web", requires: ["db"], start: ["/bin/sleep", "infinity"], reload: ["/bin/true"], reloadIfChanged: true },
      { name: "cache", start: ["/bin/sleep", "infinity"], stopIfChanged: false },
    ],
  })}\n`;

/** n generations, each with its own system directory (a manifest.json only) and a link mtime an hour apart. */
const buildRoot = (root, n, nowMs) => {
  for (let i = 1; i <= n; i++) {
    const system = systemOf(i);
    mkdirSync(join(root, system), { recursive: true });
    writeFileSync(join(root, system, "manifest.json"), manifestText(i));
    link(root, `${PROFILE_DIR}/system-${i}-link`, system, createdMs(n, i, nowMs));
  }
  link(root, `${PROFILE_DIR}/system`, `system-${n}-link`);
  link(root, "/run/current-system", systemOf(n));
  link(root, "/run/booted-system", systemOf(n));
  mkdirSync(join(root, "boot/grub"), { recursive: true });
};

/** The generations index (its top and its columns): a cache, left out of the snapshot (it is rewritten whenever it is stale). */
const INDEX = new Set(["/var/lib/switchyard/generations-index.json", "/var/lib/switchyard/generations-index.columns"]);

/** Everything in the root but the system directories: type, link target, and a digest of each file. */
const snapshot = (root) => {
  const out = new Map();
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (path === "/store" || INDEX.has(path)) continue;
      if (entry.isSymbolicLink()) {
        // A generation link's mtime is its creation time, which the boot menu shows.
        const mtime = /-\d+-link$/.test(entry.name) ? ` @${lstatSync(join(root, path)).mtimeMs}` : "";
        out.set(path, `-> ${readlinkSync(join(root, path))}${mtime}`);
      } else if (entry.isDirectory()) {
        out.set(path, "dir");
        walk(path);
      } else out.set(path, createHash("sha256").update(readFileSync(join(root, path))).digest("hex"));
    }
  };
  walk("");
  return out;
};

const switchyard = (root, ...args) => [process.execPath, bin, "--root", root, ...args];

// ---------------------------------------------------------------------------------------------------
// nix-env

const nixEnvVersion = (() => {
  const r = spawnSync("nix-env", ["--version"], { encoding: "utf8" });
  return r.error === undefined && r.status === 0 ? r.stdout.trim() : null;
})();

/** A private Nix state, store, log and config, so nix-env touches nothing of the machine's (or /nix). */
const nixEnvironment = () => {
  const dir = join(work, "nix");
  const d = (name) => {
    mkdirSync(join(dir, name), { recursive: true });
    return join(dir, name);
  };
  const conf = d("conf");
  writeFileSync(join(conf, "nix.conf"), "build-users-group =\nsandbox = false\n");
  const env = {
    ...process.env,
    NIX_STORE_DIR: d("store"),
    NIX_STATE_DIR: d("state"),
    NIX_LOG_DIR: d("log"),
    NIX_CONF_DIR: conf,
    NIX_USER_CONF_FILES: join(conf, "nix.conf"),
    HOME: d("home"),
    XDG_CONFIG_HOME: d("xdg-config"),
    XDG_CACHE_HOME: d("xdg-cache"),
    XDG_DATA_HOME: d("xdg-data"),
    XDG_STATE_HOME: d("xdg-state"),
  };
  delete env.NIX_REMOTE;
  return env;
};

// ---------------------------------------------------------------------------------------------------
// System calls

const straceInstalled = spawnSync("strace", ["-V"], { stdio: "ignore" }).status === 0;

/** `strace -c -f` of one run: every syscall's count. */
const syscalls = (argv, env, before) => {
  if (!straceInstalled) return null;
  before?.();
  const out = join(work, "strace-out");
  const r = spawnSync("strace", ["-c", "-f", "-o", out, ...argv], { env, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`strace ${argv.join(" ").slice(0, 120)} failed (exit ${r.status})`);
  const counts = new Map();
  for (const line of readFileSync(out, "utf8").split("\n")) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+(\w+)$/.exec(line);
    if (m !== null) counts.set(m[2], Number(m[1]));
  }
  return counts;
};

const STAT = ["newfstatat", "statx", "lstat", "stat", "fstat"];
const summary = (counts) => {
  if (counts === null) return "-";
  const n = (names) => names.reduce((sum, k) => sum + (counts.get(k) ?? 0), 0);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return `${total} total: ${n(STAT)} stat, ${n(["readlink", "readlinkat"])} readlink, ${n(["getdents64"])} getdents, ${n(["openat", "open"])} open, ${n(["read", "pread64"])} read, ${n(["write", "pwrite64"])} write, ${n(["fsync", "fdatasync"])} fsync`;
};

// ---------------------------------------------------------------------------------------------------
// One profile size

/** Build the profile at `root`, and let switchyard write its boot menu (and index) once, untimed. */
const prepare = (root, n, nowMs) => {
  buildRoot(root, n, nowMs);
  sleep(SETTLE_MS);
  runOnce(switchyard(root, "apply", "switch", String(n), "--yes"));
  sleep(SETTLE_MS);
  runOnce(switchyard(root, "list"));
};

const benchSize = (n, nixEnv) => {
  const nowMs = Date.now();
  const ours = join(work, `ours-${n}`);
  const theirs = join(work, `theirs-${n}`);
  let t0 = Date.now();
  prepare(ours, n, nowMs);
  // nix-env creates and removes `system.lock` in the profile directory on every run, so sharing one
  // profile would put every switchyard run right after a change; each gets its own identical copy.
  if (nixEnv) buildRoot(theirs, n, nowMs);
  log(`${n} generations: profiles built in ${Date.now() - t0} ms`);

  const grub = join(ours, "boot/grub/grub.cfg");
  const grubContent = readFileSync(grub);
  const before = snapshot(ours);
  const doomed = Math.max(1, Math.floor(n / 10));
  const numbers = Array.from({ length: doomed }, (_, i) => String(i + 1));
  const nixProfile = join(theirs, PROFILE_DIR, "system");
  const nix = (...args) => ["nix-env", "--profile", nixProfile, ...args];
  // Putting the state back by hand is byte-for-byte what switching back would do (checked below
  // against a snapshot), and does not double the time a slow profile takes.
  const restoreLinks = (root) => () => {
    for (let i = 1; i <= doomed; i++) link(root, `${PROFILE_DIR}/system-${i}-link`, systemOf(i), createdMs(n, i, nowMs));
  };
  const restoreCurrent = () => {
    link(ours, `${PROFILE_DIR}/system`, `system-${n}-link`);
    link(ours, "/run/current-system", systemOf(n));
    writeFileSync(grub, grubContent);
  };
  const restoreNixProfile = () => link(theirs, `${PROFILE_DIR}/system`, `system-${n}-link`);
  /** What nix-env does to the profile directory on every run: a lock file, created and removed. */
  const touchProfile = () => {
    writeFileSync(join(ours, PROFILE_DIR, "system.lock"), "");
    rmSync(join(ours, PROFILE_DIR, "system.lock"));
  };
  const rows = [
    // The floor: the same system calls in plain Node (scripts/list-floor.cjs), in the same rounds.
    { operation: "list", ours: ["list"], nix: ["--list-generations"], floor: true },
    { operation: "list --json", ours: ["list", "--json"], nix: ["--list-generations"] },
    { operation: "list, just after a change", ours: ["list"], nix: ["--list-generations"], before: touchProfile },
    { operation: "plan rollback", ours: ["plan", "rollback"], nix: ["--rollback", "--dry-run"] },
    { operation: "apply rollback --yes", ours: ["apply", "rollback", "--yes"], nix: ["--rollback"], after: restoreCurrent, nixAfter: restoreNixProfile },
    {
      operation: `apply delete 1..${doomed} --yes`,
      ours: ["apply", "delete", `1..${doomed}`, "--yes"],
      // Nix 2.8 has no ranges: the same generations, listed.
      nix: ["--delete-generations", ...numbers],
      after: () => {
        restoreLinks(ours)();
        writeFileSync(grub, grubContent);
      },
      nixAfter: restoreLinks(theirs),
    },
  ];
  t0 = Date.now();
  const results = [];
  for (const row of rows) {
    const nixAfter = row.nixAfter ?? (() => {});
    const entrants = [
      { argv: [process.execPath, "-e", "0"] },
      { argv: switchyard(ours, ...row.ours), before: row.before, after: row.after },
      ...(nixEnv ? [{ argv: ["/bin/true"] }, { argv: nix(...row.nix), env: nixEnv, after: nixAfter }] : []),
      ...(row.floor === true ? [{ argv: [process.execPath, floorScript, ours] }] : []),
    ];
    const samples = race(roundsFor(n), entrants);
    const side = (of, base) => ({
      work: stats(minus(samples, of, base)),
      rssMb: gnuTime ? Math.max(...samples[of].map((s) => s.rssKb)) / 1024 : null,
    });
    results.push({
      operation: row.operation,
      n,
      ours: side(1, 0),
      nix: nixEnv ? side(3, 2) : null,
      floor: row.floor === true ? side(entrants.length - 1, 0) : null,
      syscalls: {
        ours: summary(syscalls(switchyard(ours, ...row.ours), undefined, row.before)),
        nix: nixEnv ? summary(syscalls(nix(...row.nix), nixEnv)) : "-",
      },
    });
    row.after?.();
    nixAfter();
    // A row that changed the profile leaves it settled, its index repaired, for the next row.
    if (row.before !== undefined || row.after !== undefined) {
      sleep(SETTLE_MS);
      runOnce(switchyard(ours, "list"));
    }
  }
  log(`${n} generations: measured in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Every run was meant to start from the same state; check that it still is that state.
  const now = snapshot(ours);
  // The generations index is a cache any command may rewrite; it is no part of the state.
  const changed = [...new Set([...before.keys(), ...now.keys()])].filter((k) => before.get(k) !== now.get(k) && ![...INDEX].some((i) => k.endsWith(i)));
  if (changed.length > 0) {
    throw new Error(`the ${n}-generation root was not restored between runs; changed: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ", …" : ""}`);
  }
  rmSync(ours, { recursive: true, force: true });
  rmSync(theirs, { recursive: true, force: true });
  return results;
};

/** `switchyard list` on 10 generations and `--help`, against `node -e 0`, interleaved. */
const benchStartup = () => {
  const root = join(work, "startup");
  prepare(root, 10, Date.now());
  const samples = race(STARTUP_ROUNDS, [{ argv: [process.execPath, "-e", "0"] }, { argv: [process.execPath, bin, "--help"] }, { argv: switchyard(root, "list") }]);
  rmSync(root, { recursive: true, force: true });
  const over = (i) => stats(samples[i].map((s, k) => s.wallMs - samples[0][k].wallMs));
  return { node: stats(samples[0].map((s) => s.wallMs)), help: over(1), list: over(2) };
};

// ---------------------------------------------------------------------------------------------------
// The planner, in process

const benchPlanner = async () => {
  const outfile = join(work, "bench-planner.mjs");
  await build({
    entryPoints: [join(repo, "scripts/bench-planner.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
  });
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const { runPlannerBench } = await import(pathToFileURL(outfile).href);
  return runPlannerBench({ ...PLANNER, gc });
};

// ---------------------------------------------------------------------------------------------------
// Report

const fmt = (x, digits = 0) => (x === null || x === undefined ? "-" : x.toFixed(digits));
const spread = (s) => (s === null ? "-" : `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}`);
const table = (header, rows) => {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i <= 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
};

const main = async () => {
  const started = Date.now();
  const load = loadavg()[0];
  const nixEnv = nixEnvVersion === null ? null : nixEnvironment();
  let nixNote = nixEnvVersion === null ? "nix-env not installed (apt-get install nix-bin) — comparison skipped" : `${nixEnvVersion}, private store/state in the temp dir`;
  log(`temp dir ${work}`);

  let nixUsable = nixEnv;
  if (nixUsable !== null) {
    // nix-env initialises its private state (a SQLite database) on first use: do that untimed, and
    // find out now whether it can work on this profile layout at all.
    const probe = join(work, "nix-probe");
    buildRoot(probe, 2, Date.now());
    const r = spawnSync("nix-env", ["--profile", join(probe, PROFILE_DIR, "system"), "--list-generations"], { env: nixEnv, encoding: "utf8" });
    if (r.error !== undefined || r.status !== 0) {
      nixNote = `nix-env cannot run here, comparison skipped: ${(r.error?.message ?? r.stderr).trim().split("\n").slice(-3).join(" / ")}`;
      nixUsable = null;
    }
    rmSync(probe, { recursive: true, force: true });
  }
  log("start-up: 10 generations");
  const startup = benchStartup();
  const rows = [];
  for (const n of SIZES) rows.push(...benchSize(n, nixUsable));
  log("planner: building the in-memory world");
  const planner = await benchPlanner();
  const loadAfter = loadavg()[0];

  const cpu = cpus();
  console.log(`\nswitchyard benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpu.length} CPU (${cpu[0]?.model ?? "?"})`);
  console.log(`load average ${load.toFixed(2)} at start, ${loadAfter.toFixed(2)} at the end (other work on the machine slows both tools of a round alike)`);
  console.log(`nix-env: ${nixNote}`);
  console.log(gnuTime ? "peak RSS from /usr/bin/time" : "/usr/bin/time (GNU time) not found: peak RSS skipped");
  console.log(
    `\nStart-up (${STARTUP_ROUNDS} interleaved rounds; ms over 'node -e 0', min / median / max): node -e 0 itself ${spread(startup.node)}; ` +
      `'switchyard --help' +${spread(startup.help)}; 'switchyard list' on 10 generations +${spread(startup.list)}`,
  );
  console.log(
    "\nWork time in ms (wall time minus the same round's baseline: 'node -e 0' for switchyard and the floor, '/bin/true' for nix-env), min / median / max over interleaved rounds; ratio = median / median; " +
      "Node floor = scripts/list-floor.cjs, the same system calls as 'list' in plain Node:\n",
  );
  console.log(
    table(
      ["operation", "generations", "switchyard work", "nix-env work", "ratio", "switchyard RSS MB", "nix-env RSS MB", "Node floor work", "floor RSS MB"],
      rows.map((r) => [
        r.operation,
        r.n,
        spread(r.ours.work),
        r.nix ? spread(r.nix.work) : "-",
        r.nix ? `${(r.ours.work.median / r.nix.work.median).toFixed(2)}` : "-",
        fmt(r.ours.rssMb, 1),
        r.nix ? fmt(r.nix.rssMb, 1) : "-",
        r.floor ? spread(r.floor.work) : "-",
        r.floor ? fmt(r.floor.rssMb, 1) : "-",
      ]),
    ),
  );
  console.log(`\nSystem calls of one run (strace -c -f${straceInstalled ? "" : ": not installed, skipped"}):\n`);
  console.log(table(["operation", "generations", "switchyard", "nix-env"], rows.map((r) => [r.operation, r.n, r.syscalls.ours, r.syscalls.nix])));
  console.log(
    `\nThe planner in process (Transition.between on ${planner.generations} generations x ${planner.servicesPerGeneration} services, ` +
      `${planner.runningServices} in the running generation, ${planner.distinctManifests} distinct manifests; world built in ${fmt(planner.buildMs)} ms, ${fmt(planner.worldMb, 1)} MB heap; target: under 30 ms per plan):\n`,
  );
  console.log(
    table(
      ["operation", "runs", "plan median ms", "encode+stringify ms", "retained MB", "JSON MB", "steps", "stop/start/restart/reload/unchanged"],
      planner.cases.map((c) => [c.operation, c.runs, fmt(c.planMs, 1), fmt(c.encodeMs, 1), fmt(c.retainedMb, 1), fmt(c.jsonMb, 1), c.steps, c.services]),
    ),
  );
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
};

/** `node scripts/bench.mjs --profile-root N DIR`: build one bench root of N generations in DIR and stop, to profile a command on it. */
const profileRoot = (n, dir) => {
  if (!Number.isInteger(n) || n < 1 || dir === undefined || existsSync(dir)) {
    console.error("bench: --profile-root N DIR: N a positive integer, DIR a path that does not exist yet");
    process.exitCode = 2;
    return;
  }
  prepare(dir, n, Date.now());
  console.log(`${dir}: ${n} generations, indexed; e.g. node ${bin} --root ${dir} list`);
};

try {
  if (process.argv[2] === "--profile-root") profileRoot(Number(process.argv[3]), process.argv[4]);
  else await main();
} finally {
  cleanup();
}

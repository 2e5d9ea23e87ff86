// `npm run bench` (builds first): how long the real `switchyard` binary takes on profiles of 1,000
// and 10,000 generations, compared with Debian's `nix-env` on the very same profile directory when
// it is installed, and how fast the pure planner is on 10,000 generations x 1,000 services.
// Benchmarks report; they never fail on speed. They do fail if a command fails, since then the
// numbers would not mean anything. See docs/benchmarks.md for what each number means.
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
if (!existsSync(join(repo, "packages/cli/dist/launch.cjs"))) {
  console.error("bench: packages/cli/dist is missing; run 'npm run bench' (it builds first) or 'npm run build'");
  process.exit(2);
}

const SIZES = [1_000, 10_000];
const MAX_RUNS = 7;
const MIN_RUNS = 3;
// Per operation and profile size: how long its runs may take, restoring the state included. The run
// count drops (never below MIN_RUNS) when one run is slow, so the whole benchmark stays near 3 minutes.
const BUDGET_MS = 8_000;
const PLANNER = { generations: 10_000, services: 1_000, runs: 7 };
const HOUR = 3_600_000;

const log = (line) => process.stderr.write(`bench: ${line}\n`);
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
const cleanup = () => rmSync(work, { recursive: true, force: true });
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

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

/**
 * Time `argv` several times; `after` (untimed) puts the state back so every run starts from the same
 * one. The first run decides how many fit in the budget.
 */
const measure = (argv, env, after = () => {}) => {
  const runs = [];
  let planned = MAX_RUNS;
  while (runs.length < planned) {
    const t0 = Date.now();
    runs.push(runOnce(argv, env));
    after();
    if (runs.length === 1) planned = Math.max(MIN_RUNS, Math.min(MAX_RUNS, Math.floor(BUDGET_MS / Math.max(1, Date.now() - t0))));
  }
  const cpu = runs.map((r) => r.cpuMs).filter((x) => x !== null);
  const rss = runs.map((r) => r.rssKb).filter((x) => x !== null);
  return {
    runs: runs.length,
    medianMs: median(runs.map((r) => r.wallMs)),
    minMs: Math.min(...runs.map((r) => r.wallMs)),
    cpuMs: cpu.length > 0 ? median(cpu) : null,
    peakRssMb: rss.length > 0 ? Math.max(...rss) / 1024 : null,
  };
};

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

/** Everything in the root but the system directories: type, link target, and a digest of each file. */
const snapshot = (root) => {
  const out = new Map();
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (path === "/store") continue;
      if (entry.isSymbolicLink()) {
        // A generation link's mtime is its creation time, which the boot menu shows.
        const mtime = /-\d+-link$/.test(entry.name) ? ` @${lstatSync(join(root, path)).mtimeMs}` : "";
        out.set(path, `-> ${readlinkSync(join(root, path))}${mtime}`);
      }
      else if (entry.isDirectory()) {
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
// One profile size

const benchSize = (n, nixEnv) => {
  const nowMs = Date.now();
  const root = join(work, `root-${n}`);
  let t0 = Date.now();
  buildRoot(root, n, nowMs);
  // The state switchyard itself leaves: boot menu written for the newest generation.
  runOnce(switchyard(root, "apply", "switch", String(n), "--yes"));
  log(`${n} generations: profile built and switched in ${Date.now() - t0} ms`);

  const profile = join(root, PROFILE_DIR, "system");
  const grub = join(root, "boot/grub/grub.cfg");
  const grubContent = readFileSync(grub);
  const before = snapshot(root);
  const doomed = Math.max(1, Math.floor(n / 10));
  // Putting the state back by hand is byte-for-byte what switching back would do (checked below
  // against a snapshot), and does not double the time a slow profile takes.
  const restoreLinks = () => {
    for (let i = 1; i <= doomed; i++) link(root, `${PROFILE_DIR}/system-${i}-link`, systemOf(i), createdMs(n, i, nowMs));
  };
  const restoreCurrent = () => {
    link(root, `${PROFILE_DIR}/system`, `system-${n}-link`);
    link(root, "/run/current-system", systemOf(n));
    writeFileSync(grub, grubContent);
  };
  const rows = [];
  const row = (operation, ours, nix) => rows.push({ operation, n, ours, nix });
  const nixArgs = (...args) => ["nix-env", "--profile", profile, ...args];

  t0 = Date.now();
  row("list", measure(switchyard(root, "list")), nixEnv && measure(nixArgs("--list-generations"), nixEnv));
  row("plan rollback", measure(switchyard(root, "plan", "rollback")), nixEnv && measure(nixArgs("--rollback", "--dry-run"), nixEnv));
  row(
    "apply rollback",
    measure(switchyard(root, "apply", "rollback", "--yes"), undefined, restoreCurrent),
    nixEnv && measure(nixArgs("--rollback"), nixEnv, () => link(root, `${PROFILE_DIR}/system`, `system-${n}-link`)),
  );
  const numbers = Array.from({ length: doomed }, (_, i) => String(i + 1));
  row(
    `apply delete 1..${doomed}`,
    measure(switchyard(root, "apply", "delete", `1..${doomed}`, "--yes"), undefined, () => {
      restoreLinks();
      writeFileSync(grub, grubContent);
    }),
    // Nix 2.8 has no ranges: the same generations, listed.
    nixEnv && measure(nixArgs("--delete-generations", ...numbers), nixEnv, restoreLinks),
  );
  log(`${n} generations: measured in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Every run was meant to start from the same state; check that it still is that state.
  const after = snapshot(root);
  // The generations index is a cache any command may rewrite; it is no part of the state.
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k) && !k.endsWith("/var/lib/switchyard/generations-index.json"));
  if (changed.length > 0) {
    throw new Error(`the ${n}-generation root was not restored between runs; changed: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ", …" : ""}`);
  }
  rmSync(root, { recursive: true, force: true });
  return rows;
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
const table = (header, rows) => {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
};

const main = async () => {
  const started = Date.now();
  const load = loadavg()[0];
  const nixEnv = nixEnvVersion === null ? null : nixEnvironment();
  let nixNote = nixEnvVersion === null ? "nix-env not installed (apt-get install nix-bin) — comparison skipped" : `${nixEnvVersion}, private store/state in the temp dir`;
  log(`temp dir ${work}`);

  const rows = [];
  let nixUsable = nixEnv;
  for (const n of SIZES) {
    if (nixUsable !== null && n === SIZES[0]) {
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
    rows.push(...benchSize(n, nixUsable));
  }
  log("planner: building the in-memory world");
  const planner = await benchPlanner();
  const loadAfter = loadavg()[0];

  const cpu = cpus();
  console.log(`\nswitchyard benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpu.length} CPU (${cpu[0]?.model ?? "?"})`);
  console.log(`load average ${load.toFixed(2)} at start, ${loadAfter.toFixed(2)} at the end (other work on the machine makes wall times noisy; cpu ms is steadier)`);
  console.log(`nix-env: ${nixNote}`);
  console.log(gnuTime ? "peak RSS and cpu ms from /usr/bin/time" : "/usr/bin/time (GNU time) not found: peak RSS and cpu ms skipped");
  console.log("\nThe switchyard CLI (spawned, wall time from spawn to exit; --bootloader grub):\n");
  console.log(
    table(
      ["operation", "generations", "runs", "median ms", "min ms", "cpu ms", "peak RSS MB", "nix-env ms", "nix runs", "ratio"],
      rows.map(({ operation, n, ours, nix }) => [
        operation,
        n,
        ours.runs,
        fmt(ours.medianMs),
        fmt(ours.minMs),
        fmt(ours.cpuMs),
        fmt(ours.peakRssMb, 1),
        nix ? fmt(nix.medianMs, 1) : "-",
        nix ? nix.runs : "-",
        nix ? `${(ours.medianMs / nix.medianMs).toFixed(1)}x` : "-",
      ]),
    ),
  );
  if (rows.some((r) => r.nix)) {
    console.log("(nix-env counterparts: --list-generations, --rollback --dry-run, --rollback, --delete-generations with the same numbers; ratio = switchyard / nix-env)");
  }
  console.log(
    `\nThe planner in process (Transition.between on ${planner.generations} generations x ${planner.servicesPerGeneration} services, ` +
      `${planner.runningServices} in the running generation, ${planner.distinctManifests} distinct manifests; world built in ${fmt(planner.buildMs)} ms, ${fmt(planner.worldMb, 1)} MB heap):\n`,
  );
  console.log(
    table(
      ["operation", "runs", "plan median ms", "encode+stringify ms", "retained MB", "JSON MB", "steps", "stop/start/restart/reload/unchanged"],
      planner.cases.map((c) => [c.operation, c.runs, fmt(c.planMs, 1), fmt(c.encodeMs, 1), fmt(c.retainedMb, 1), fmt(c.jsonMb, 1), c.steps, c.services]),
    ),
  );
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
};

try {
  await main();
} finally {
  cleanup();
}

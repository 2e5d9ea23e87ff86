// `vitest run`, made to end. vitest runs in a process group of its own, so that when it is done
// (or has stalled) every process left in that group, a stuck worker included, is ended with it.
// A run the stall reporter ended (test/stall-reporter.ts: nothing reported for two minutes) is
// finished by running the files it left unfinished once more, on their own: a file that stalls
// again, or fails, fails the run, naming it. Arguments go to `vitest run` as they are; the run
// again keeps the options among them and puts the unfinished files in place of the file filters.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";

const require = createRequire(import.meta.url);
const VITEST = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-test-run-"));

/** Runs `vitest run ARGS` in its own process group; resolves to its exit status and what it left in `scratch`. */
const vitest = (name, args) =>
  new Promise((resolve) => {
    const stallReport = path.join(scratch, `${name}.stall.json`);
    const counts = path.join(scratch, `${name}.counts.json`);
    const child = spawn(process.execPath, [VITEST, "run", ...args], {
      stdio: "inherit",
      detached: true,
      env: { ...process.env, SWITCHYARD_TEST_STALL_REPORT: stallReport, SWITCHYARD_TEST_COUNTS: counts },
    });
    const forward = (signal) => endGroup(child.pid, signal);
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const s of signals) process.on(s, forward);
    child.on("exit", (code, signal) => {
      for (const s of signals) process.off(s, forward);
      endGroup(child.pid, "SIGKILL");
      resolve({ code, signal, stall: readJson(stallReport), counts: readJson(counts) });
    });
  });

const endGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is empty already.
  }
};

const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
};

/** vitest's options that take their value as the next argument (the rest are flags or `--name=value`). */
const VALUED = new Set(["-c", "--config", "-r", "--root", "--dir", "--project", "--reporter", "--outputFile", "--pool", "--maxWorkers", "--minWorkers", "-t", "--testNamePattern", "--environment", "--mode", "--shard", "--exclude", "--testTimeout", "--hookTimeout", "--retry", "--bail", "--sequence.seed"]);

/** `args` without its file filters: what the first run was told, except which files to run. */
const optionsOf = (args) => {
  const options = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-")) continue;
    options.push(a);
    if (VALUED.has(a) && i + 1 < args.length) options.push(args[++i]);
  }
  return options;
};

const add = (a, b) => ({ passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped });
const line = (c) => `tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

const main = async () => {
  const args = process.argv.slice(2);
  const first = await vitest("first", args);
  // The stall reporter's file, not its exit status, says that the run stalled.
  if (first.stall === null) return first.code ?? 128 + (os.constants.signals[first.signal] ?? 0);
  const { unfinished, paths, counts } = first.stall;
  if (counts.failed > 0) {
    process.stdout.write(`\ntest run: failed (${counts.failed}), and stalled in ${unfinished.join(", ")}\n`);
    return 1;
  }
  process.stdout.write(`\ntest run: stalled in ${unfinished.join(", ")}; running ${unfinished.length === 1 ? "it" : "them"} again on ${unfinished.length === 1 ? "its" : "their"} own\n`);
  const again = await vitest("again", [...optionsOf(args), ...paths]);
  if (again.stall !== null) {
    process.stdout.write(`\ntest run: stalled again in ${again.stall.unfinished.join(", ")}\n`);
    return 1;
  }
  if (again.counts !== null) process.stdout.write(`\n${line(add(counts, again.counts))} (both runs; ${unfinished.join(", ")} run again after a stall)\n`);
  return again.code ?? 1;
};

main().then(
  (code) => {
    fs.rmSync(scratch, { recursive: true, force: true });
    process.exit(code);
  },
  (e) => {
    fs.rmSync(scratch, { recursive: true, force: true });
    process.stderr.write(`test run: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

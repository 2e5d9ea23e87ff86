// Ends a run that has stopped moving. vitest's pool waits for a test file's worker without a limit
// of its own, and a test's timeout cannot end a worker stuck in synchronous work or in the kernel:
// one such worker keeps the whole run waiting until CI gives up on it. When no test, hook or file
// has reported anything for SWITCHYARD_TEST_STALL_SECONDS (default 120: four test timeouts, far
// beyond the slowest test), this prints what is unfinished and what vitest's workers are doing,
// and exits with STALL_EXIT. With SWITCHYARD_TEST_STALL_REPORT set, the unfinished files and the
// counts of the finished ones also go to that file as JSON, for scripts/test.mjs to run them again.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from "vitest/node";
import { type Counts, countsLine, countTests } from "./summary-reporter.js";

/** EX_TEMPFAIL: the run did not fail a test; it stopped. */
export const STALL_EXIT = 75;

export interface StallReport {
  /** As the run names them, relative to its root. */
  readonly unfinished: ReadonlyArray<string>;
  /** The same, absolute: what a run from anywhere can be given to run them again. */
  readonly paths: ReadonlyArray<string>;
  readonly counts: Counts;
}

const stallMs = (): number => {
  const seconds = Number(process.env.SWITCHYARD_TEST_STALL_SECONDS ?? "120");
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 120) * 1000;
};

/** One line per child process of this one: pid, state (R, S, D, T …), where it waits in the kernel, command. */
const workers = (): ReadonlyArray<string> => {
  const lines: string[] = [];
  let pids: ReadonlyArray<string> = [];
  try {
    pids = fs.readdirSync("/proc").filter((n) => /^[0-9]+$/.test(n));
  } catch {
    return ["(no /proc to read the workers from)"];
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) !== process.pid) continue;
      const wchan = fs.readFileSync(`/proc/${pid}/wchan`, "utf8") || "-";
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 160);
      lines.push(`pid ${pid} state ${state} waiting in ${wchan}: ${cmd}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return lines;
};

export default class StallReporter implements Reporter {
  private root = process.cwd();
  private specifications: ReadonlyArray<string> = [];
  private readonly finished = new Map<string, TestModule>();
  private readonly running = new Map<string, string>();
  private lastReport = Date.now();
  private timer: NodeJS.Timeout | undefined;

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.specifications = specifications.map((s) => s.moduleId);
    this.moved();
    const limit = stallMs();
    this.timer = setInterval(() => {
      if (Date.now() - this.lastReport >= limit) this.stall(limit);
    }, Math.min(5000, limit));
    this.timer.unref();
  }

  onTestModuleQueued(): void {
    this.moved();
  }

  onTestModuleCollected(): void {
    this.moved();
  }

  onTestModuleStart(): void {
    this.moved();
  }

  onTestModuleEnd(module: TestModule): void {
    this.finished.set(module.moduleId, module);
    this.moved();
  }

  onTestCaseReady(test: TestCase): void {
    this.running.set(test.id, `${this.relative(test.module.moduleId)} > ${test.fullName}`);
    this.moved();
  }

  onTestCaseResult(test: TestCase): void {
    this.running.delete(test.id);
    this.moved();
  }

  onHookStart(): void {
    this.moved();
  }

  onHookEnd(): void {
    this.moved();
  }

  onTestRunEnd(): void {
    clearInterval(this.timer);
  }

  private moved(): void {
    this.lastReport = Date.now();
  }

  private relative(moduleId: string): string {
    return path.relative(this.root, moduleId);
  }

  private failures(): ReadonlyArray<string> {
    const out: string[] = [];
    for (const m of this.finished.values()) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === "failed") out.push(`${this.relative(m.moduleId)} > ${t.fullName}: ${(r.errors?.[0]?.message ?? "").split("\n")[0]}`);
      }
    }
    return out;
  }

  private stall(limit: number): void {
    const paths = this.specifications.filter((m) => !this.finished.has(m));
    if (paths.length === 0) return;
    const unfinished = paths.map((m) => this.relative(m));
    const counts = countTests(this.finished.values());
    const out = [
      "",
      `test run stalled: nothing reported for ${limit / 1000} s; ${unfinished.length} file(s) unfinished: ${unfinished.join(", ")}`,
      ...[...this.running.values()].map((t) => `  a test started and not finished: ${t}`),
      ...workers().map((w) => `  ${w}`),
      // vitest prints a failure's details only at the end of a run, which a stalled run never reaches.
      ...this.failures().map((f) => `  failed: ${f}`),
      `${countsLine(counts)} (the finished files only)`,
      "",
    ];
    process.stdout.write(out.join("\n"));
    const file = process.env.SWITCHYARD_TEST_STALL_REPORT;
    if (file !== undefined && file !== "") fs.writeFileSync(file, JSON.stringify({ unfinished, paths, counts } satisfies StallReport));
    process.exit(STALL_EXIT);
  }
}

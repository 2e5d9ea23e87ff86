/**
 * Real-process crash tests. For each command: a run with SWITCHYARD_FAILPOINT=count tells how many
 * crash points K it passes and which; then, for every N in 1..K, a fresh copy of the same root is
 * given the command with SWITCHYARD_FAILPOINT=N (the process must die by SIGKILL at that point),
 * then `switchyard recover` (exit 0). The root must then be exactly the tree before the command or
 * exactly the tree after it (computed by running the command without failpoints on other copies),
 * the one that agrees with what recover printed — and with where the crash was: recover finishes
 * exactly when the journal had recorded the Commit step. "finished" means the new tree and
 * "reverted" the old one; "nothing" means the old tree when the crash came before the journal
 * existed, and the new one when it came after the apply had renamed its journal away (the crash hit
 * its final cleanup: the transition was complete, recover only removes the leftover directory).
 *
 * The binary run is a private copy of the built bundle (faults-support.ts says why).
 *
 * Left out of the tree comparison: /var/log (the fixture's activation scripts append a line per
 * activation, and a recovered crash legitimately ran the revert activation, so the log differs from
 * the reference run's log), and /var/lib/switchyard/layout.v1 (the layout marker that the first
 * apply on a fixture root writes before its journal: a crash just after it leaves the old tree plus
 * the marker, which is correct — the marker is not part of the transition). The marker is checked
 * on its own: when present it must be complete, and after a finished transition it must be there.
 * The profile link's own mtime counts when the old tree is expected (it must not have been
 * rewritten) and not when the new one is (the reference run rewrote it at another moment).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyRoot, execIn, frozenClock, inBatches, leftovers, removeSnapshot, show, type ExecOptions } from "./faults-support.js";
import { cleanUp, Fixture, tempDir, treeHash } from "./support.js";

const WIDTH = Number(process.env.SWITCHYARD_CRASH_WIDTH ?? 4);
const EXCLUDE = ["/var/log", "/var/lib/switchyard/layout.v1"];
const MARKER = "/var/lib/switchyard/layout.v1";
const MARKER_CONTENT = "switchyard state directory layout v1\n";

const work = tempDir();
/** Three generations with services (a rollback stops, starts and reloads some). */
const demo = path.join(work, "demo");
Fixture.makeRoot(demo, { generations: Fixture.demoGenerations(), current: 3, running: 3, booted: 3 });
/** Three plain generations, and a built system that `add` registers as generation 4. */
const plain = path.join(work, "plain");
Fixture.makeRoot(plain, { generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current: 3, running: 3, booted: 3 });
const system4 = Fixture.makeSystem(plain, { number: 4 });
const NOW = Date.now();

let copies = 0;
const freshCopy = (base: string): string => copyRoot(base, path.join(work, `copy-${++copies}`));

const oldHash = (root: string) => treeHash(root, { exclude: EXCLUDE });
const newHash = (root: string) => treeHash(root, { exclude: EXCLUDE, profileLinkMtime: false });

interface Case {
  readonly name: string;
  readonly base: string;
  readonly args: ReadonlyArray<string>;
  readonly options?: ExecOptions;
}

const cases: ReadonlyArray<Case> = [
  { name: "apply rollback", base: demo, args: ["apply", "rollback", "--yes"] },
  { name: "apply switch 1", base: plain, args: ["apply", "switch", "1", "--yes"] },
  { name: "apply switch 1 --mode test", base: plain, args: ["apply", "switch", "1", "--mode", "test", "--yes"] },
  { name: "apply switch 1 --mode boot", base: plain, args: ["apply", "switch", "1", "--mode", "boot", "--yes"] },
  { name: "apply delete old", base: plain, args: ["apply", "delete", "old", "--yes"] },
  // `add` stamps the new link and its menu entry with the time: frozen, so every run agrees.
  { name: "add DIR", base: plain, args: ["add", system4], options: { nodeArgs: frozenClock(NOW) } },
];

type Action = "finished" | "reverted" | "nothing";
interface Expected {
  readonly action: Action;
  readonly tree: "old" | "new";
}

/**
 * What a crash at each failpoint must lead to, from the count run's labels and the index of the
 * plan's Commit step. Before the journal exists there is nothing to recover (old tree); once it
 * exists and until the progress record of the Commit step is renamed into place, recover reverts
 * (old); from then on it finishes (new); once the apply has renamed its journal away
 * (`journal:finished`) the transition is complete and recover only cleans up (new).
 */
const analyse = (stderr: string, commitStep: number) => {
  const labels: Array<string> = [];
  for (const line of stderr.split("\n")) {
    const fp = /^failpoint ([0-9]+) (\S+)$/.exec(line);
    if (fp !== null) {
      expect(Number(fp[1]), `failpoints are numbered in order:\n${stderr}`).toBe(labels.length + 1);
      labels.push(fp[2] as string);
    }
    // Where the command prints its steps, the Commit step it prints is the plan's.
    const step = /^\[([0-9]+)\/[0-9]+\] commit: /.exec(line);
    if (step !== null) expect(Number(step[1]) - 1).toBe(commitStep);
  }
  const at = (label: string): number => {
    const i = labels.indexOf(label);
    expect(i, `failpoint '${label}' is passed:\n${stderr}`).toBeGreaterThanOrEqual(0);
    return i + 1;
  };
  const begun = at("journal:begun");
  const commitRecorded = at(`forward:step-${commitStep}`) - 1;
  expect(labels[commitRecorded - 1], "the Commit step's progress record is an atomic write").toBe("write:renamed");
  const finished = at("journal:finished");
  expect(finished, "the journal is removed last").toBe(labels.length);
  const expected = (n: number): Expected =>
    n < begun
      ? { action: "nothing", tree: "old" }
      : n < commitRecorded
        ? { action: "reverted", tree: "old" }
        : n < finished
          ? { action: "finished", tree: "new" }
          : { action: "nothing", tree: "new" };
  return { labels, expected };
};

/** The journal a run killed just after writing it left in `root`: the index of its plan's one Commit step. */
const commitStepIn = (root: string): number => {
  const plan = JSON.parse(fs.readFileSync(path.join(root, "/var/lib/switchyard/journal/plan.json"), "utf8")) as { steps: Array<{ _tag: string }> };
  const commits = plan.steps.flatMap((s, i) => (s._tag === "Commit" ? [i] : []));
  expect(commits, "the plan has one Commit step").toHaveLength(1);
  return commits[0] as number;
};

/** A fresh copy of `c.base` given the command with a crash at failpoint `n`. */
const crashAt = async (c: Case, n: number) => {
  const root = freshCopy(c.base);
  const crashed = await execIn(root, c.args, { ...c.options, env: { SWITCHYARD_FAILPOINT: String(n) } });
  return { root, crashed };
};

const recoverAction = (stdout: string): Action | null => {
  const m = /^(finished|reverted|nothing)\b/m.exec(stdout);
  return m === null ? null : (m[1] as Action);
};

const tried: Array<[string, number]> = [];

afterAll(() => {
  const total = tried.reduce((sum, [, k]) => sum + k, 0);
  console.log(`crash points tried: ${tried.map(([name, k]) => `${name}: ${k}`).join("; ")}; total ${total}`);
  cleanUp();
  removeSnapshot();
});

describe("a crash at any failpoint, then recover, leaves exactly the old or the new tree", () => {
  for (const c of cases) {
    it(c.name, { timeout: 120_000 }, async () => {
      // The two trees a crash may end in.
      const oldRoot = freshCopy(c.base);
      const newRoot = freshCopy(c.base);
      const countRoot = freshCopy(c.base);
      const [reference, counted] = await Promise.all([
        execIn(newRoot, c.args, c.options),
        execIn(countRoot, c.args, { ...c.options, env: { SWITCHYARD_FAILPOINT: "count" } }),
      ]);
      expect(reference.code, show(reference)).toBe(0);
      expect(counted.code, show(counted)).toBe(0);
      const old = { strict: oldHash(oldRoot), loose: newHash(oldRoot) };
      const next = newHash(newRoot);
      expect(next, "the command changes the tree").not.toBe(old.loose);
      expect(newHash(countRoot), "counting failpoints does not change what the command does").toBe(next);
      expect(leftovers(newRoot)).toEqual([]);
      expect(fs.readFileSync(path.join(newRoot, MARKER), "utf8")).toBe(MARKER_CONTENT);

      const beganAt = /^failpoint ([0-9]+) journal:begun$/m.exec(counted.stderr);
      expect(beganAt, counted.stderr).not.toBeNull();
      // The crash just after the journal is written is one of the points, and its journal says
      // where the plan's Commit step is: taken first, then checked like every other point.
      const began = Number(beganAt?.[1]);
      const atBegun = await crashAt(c, began);
      expect(atBegun.crashed.signal, show(atBegun.crashed)).toBe("SIGKILL");
      const { labels, expected } = analyse(counted.stderr, commitStepIn(atBegun.root));
      const K = labels.length;
      expect(K).toBeGreaterThan(0);

      const problems: Array<string> = [];
      const points = Array.from({ length: K }, (_, i) => i + 1);
      await inBatches(points, WIDTH, async (n) => {
        const { root, crashed } = n === began ? atBegun : await crashAt(c, n);
        const where = `${c.name}: crash at failpoint ${n}/${K} (${labels[n - 1]})`;
        if (crashed.signal !== "SIGKILL") {
          problems.push(`${where}: the process did not die by SIGKILL: ${show(crashed)}`);
          return;
        }
        const recovered = await execIn(root, ["recover"]);
        if (recovered.code !== 0) {
          problems.push(`${where}: recover failed: ${show(recovered)}`);
          return;
        }
        const action = recoverAction(recovered.stdout);
        const want = expected(n);
        const strict = oldHash(root);
        const loose = newHash(root);
        const tree = strict === old.strict ? "old" : loose === next ? "new" : loose === old.loose ? "old (profile link rewritten)" : "neither";
        if (action !== want.action) problems.push(`${where}: recover said '${action}', expected '${want.action}': ${recovered.stdout.trim()}`);
        if (tree !== want.tree) problems.push(`${where}: the tree is ${tree}, expected ${want.tree} (recover said: ${recovered.stdout.trim()})`);
        const printed = action === "finished" ? "new" : action === "reverted" ? "old" : null;
        if (printed !== null && tree !== printed) problems.push(`${where}: recover said '${action}' but the tree is ${tree}`);
        const left = leftovers(root);
        if (left.length > 0) problems.push(`${where}: left behind after recover: ${left.join(", ")}`);
        const marker = path.join(root, MARKER);
        if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") !== MARKER_CONTENT) problems.push(`${where}: ${MARKER} is incomplete`);
        if (tree === "new" && !fs.existsSync(marker)) problems.push(`${where}: the new tree lacks ${MARKER}`);
        // Recovering is idempotent: once more finds nothing and changes nothing (checked at the
        // first crash point of each kind of outcome, to keep the run short).
        if (n === 1 || expected(n - 1).action !== want.action || expected(n - 1).tree !== want.tree) {
          const again = await execIn(root, ["recover"]);
          if (again.code !== 0 || recoverAction(again.stdout) !== "nothing" || oldHash(root) !== strict) {
            problems.push(`${where}: a second recover was not a no-op: ${show(again)}`);
          }
        }
        fs.rmSync(root, { recursive: true, force: true });
      });
      tried.push([c.name, K]);
      console.log(`${c.name}: ${K} crash points tried`);
      expect(problems).toEqual([]);
      for (const r of [oldRoot, newRoot, countRoot]) fs.rmSync(r, { recursive: true, force: true });
    });
  }
});

describe("recover --json names the interrupted apply's own from and to", () => {
  /** Six generations, 3 current: the switch to 6 that is interrupted below. */
  const six = path.join(work, "six");
  Fixture.makeRoot(six, { generations: [1, 2, 3, 4, 5, 6].map((number) => ({ number })), current: 3, running: 3, booted: 3 });
  const args = ["apply", "switch", "6", "--yes"];

  /** Labels of the failpoints the switch passes, the index of its Commit step, and a root crashed at journal:begun. */
  let analysed: Promise<{ labels: ReadonlyArray<string>; commitStep: number; atBegun: string }> | undefined;
  const analysis = () =>
    (analysed ??= (async () => {
      const counted = await execIn(freshCopy(six), args, { env: { SWITCHYARD_FAILPOINT: "count" } });
      expect(counted.code, show(counted)).toBe(0);
      const labels = [...counted.stderr.matchAll(/^failpoint [0-9]+ (\S+)$/gm)].map((m) => m[1] as string);
      const { root, crashed } = await crashAt({ name: "switch 6", base: six, args }, labels.indexOf("journal:begun") + 1);
      expect(crashed.signal, show(crashed)).toBe("SIGKILL");
      return { labels, commitStep: commitStepIn(root), atBegun: root };
    })());

  const recoverJson = async (root: string) => {
    const recovered = await execIn(root, ["recover", "--json"]);
    expect(recovered.code, show(recovered)).toBe(0);
    return JSON.parse(recovered.stdout) as Record<string, unknown>;
  };

  it("interrupted before its commit point: the read-only commands warn, then it is reverted, from 3 to 6", { timeout: 60_000 }, async () => {
    const { atBegun } = await analysis();
    // list and describe run from the lean bundle; the interrupted journal must still be reported.
    for (const command of ["list", "describe"]) {
      const r = await execIn(atBegun, [command]);
      expect(r.code, show(r)).toBe(0);
      expect(r.stderr).toMatch(/^switchyard: warning: an earlier apply was interrupted .*run 'switchyard recover'/m);
    }
    expect(await recoverJson(atBegun)).toMatchObject({ action: "reverted", operation: { _tag: "Switch", spec: "6" }, from: 3, to: 6 });
  });

  it("interrupted after its commit point: finished, from 3 to 6", { timeout: 60_000 }, async () => {
    const { labels, commitStep } = await analysis();
    const { root, crashed } = await crashAt({ name: "switch 6", base: six, args }, labels.indexOf(`forward:step-${commitStep}`) + 1);
    expect(crashed.signal, show(crashed)).toBe("SIGKILL");
    expect(await recoverJson(root)).toMatchObject({ action: "finished", operation: { _tag: "Switch", spec: "6" }, from: 3, to: 6 });
  });
});

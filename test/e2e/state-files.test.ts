/**
 * State files and concurrency, through the built binary: a journal whose progress does not fit its
 * plan is refused by recover (exit 2, nothing run); a temp name taken by a directory never blocks
 * a run and recover names it when it removes it; the interrupted-apply check is decided under the
 * lock, so an apply finishing at the very moment another command looks is not an interruption;
 * a lock naming pid 0 or a negative pid is an unreadable lock, not a live holder.
 */
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { execIn, removeSnapshot, show, works } from "./faults-support.js";
import { finishWhenLockIsRead, interruptAfterJournal, mkfifo, stamped } from "./security-support.js";
import { PROFILE, PROFILE_DIR, activations, cleanUp, expectError, host, ok, readLink, run, simpleRoot, treeHash } from "./support.js";

afterAll(() => {
  cleanUp();
  removeSnapshot();
});

const STATE = "/var/lib/switchyard";
const JOURNAL = `${STATE}/journal`;
const LOCK = `${STATE}/lock`;

/** A root whose `apply switch 3` died right after writing its journal; its dead holder's lock is gone (as after a reboot). */
const interrupted = async (): Promise<string> => {
  const root = stamped(simpleRoot(2));
  await interruptAfterJournal(root, ["apply", "switch", "3", "--yes"]);
  fs.rmSync(host(root, LOCK), { force: true });
  return root;
};

describe.concurrent("recover checks the journal's progress against its plan", () => {
  for (const [what, progress, message] of [
    ["a phase that does not exist", { phase: "sideways", done: 0 }, 'progress.json: phase: expected "forward" | "revert", found string "sideways"'],
    ["a step index past the plan's steps", { phase: "forward", done: 99 }, "progress.json says step 99 of the forward phase is done, but that phase has"],
    ["a revert step index past the revert steps", { phase: "revert", done: 7 }, "progress.json says step 7 of the revert phase is done, but that phase has"],
    ["a step index below -1", { phase: "forward", done: -2 }, "progress.json says step -2 of the forward phase is done"],
    ["a step index that is not a whole number", { phase: "forward", done: 0.5 }, "progress.json says step 0.5 of the forward phase is done"],
  ] as const) {
    it(`${what}: exit 2 naming the journal, nothing run, nothing changed`, { timeout: 60_000 }, async () => {
      const root = await interrupted();
      fs.writeFileSync(host(root, `${JOURNAL}/progress.json`), `${JSON.stringify(progress)}\n`);
      const before = treeHash(root);
      const ran = activations(root);
      const r = await run(root, "recover");
      expectError(r, 2, `the journal ${host(root, JOURNAL)} cannot be decoded (`);
      expect(r.stderr).toContain(message);
      expect(treeHash(root)).toBe(before);
      expect(activations(root)).toEqual(ran);
    });
  }
});

describe("a temp name taken by a directory", () => {
  // In a pid namespace of its own the binary is pid 1, as in a container: its temp names are known.
  const wrapper = ["unshare", "--pid", "--fork", "--mount-proc"];
  const TAKEN = 20;
  it.skipIf(!works("unshare", ["--pid", "--fork", "--mount-proc", "true"]))(
    "never blocks an apply; recover removes it whole and names it; the next apply is not blocked either",
    { timeout: 60_000 },
    async () => {
      const root = stamped(simpleRoot(2));
      const planted: Array<string> = [];
      for (const [dir, name] of [["/run", "current-system"], [PROFILE_DIR, "system"], ["/boot/grub", "grub.cfg"]] as const) {
        for (let k = 1; k <= TAKEN; k++) {
          const at = `${dir}/.${name}.switchyard-tmp-1-${k}`;
          fs.mkdirSync(host(root, at));
          fs.writeFileSync(host(root, `${at}/kept`), "not switchyard's\n");
          planted.push(at);
        }
      }
      const switched = await execIn(root, ["apply", "switch", "1", "--yes"], { wrapper });
      expect(switched.code, show(switched)).toBe(0);
      expect(readLink(root, PROFILE)).toBe("system-1-link");
      for (const at of planted) expect(fs.readFileSync(host(root, `${at}/kept`), "utf8"), at).toBe("not switchyard's\n");
      const recovered = await ok(root, "recover");
      expect(recovered.stdout).toContain(`removed ${planted.length} leftover temp file(s):\n`);
      for (const at of planted) expect(recovered.stdout).toContain(`  ${host(root, at)}\n`);
      for (const at of planted) expect(fs.existsSync(host(root, at)), at).toBe(false);
      const again = await execIn(root, ["apply", "switch", "2", "--yes"], { wrapper });
      expect(again.code, show(again)).toBe(0);
    },
  );
});

describe("the interrupted-apply check is not fooled by an apply finishing at that very moment", () => {
  // The journal of an apply that is under way, and its lock a FIFO: the first read of the lock
  // blocks until the helper, having seen it, removes the journal and then the lock, as a finishing
  // apply does, and then hands over half a holder. Looked at outside the lock, the journal was
  // there and then no holder: "interrupted" would be wrong.
  const finishing = async (): Promise<{ root: string; done: Promise<number | null> }> => {
    const root = await interrupted();
    mkfifo(host(root, LOCK));
    return { root, done: finishWhenLockIsRead(host(root, LOCK), host(root, JOURNAL)) };
  };

  it("apply: it waits for the lock, finds no journal under it, and carries out its own switch", { timeout: 60_000 }, async () => {
    const { root, done } = await finishing();
    const r = await execIn(root, ["apply", "switch", "1", "--yes", "--wait-lock", "20"]);
    expect(await done).toBe(0);
    expect(r.code, `an apply meeting another one as it finished must not say it was interrupted:\n${show(r)}`).toBe(0);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
  });

  it("plan: it reads the journal again and plans from the finished machine", { timeout: 60_000 }, async () => {
    const { root, done } = await finishing();
    const r = await execIn(root, ["plan", "switch", "1"]);
    expect(await done).toBe(0);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain("Plan: switch from generation 2 to 1");
    expect(r.stderr).not.toMatch(/interrupted/);
  });
});

describe.concurrent("a lock naming pid 0 or a negative pid names no holder", () => {
  for (const pid of [0, -1, -4242]) {
    const lock = (root: string) => {
      fs.writeFileSync(host(root, LOCK), `${JSON.stringify({ pid, bootId: "", command: "apply switch 3", startedAt: "2026-01-01T00:00:00.000Z", token: "t" })}\n`);
      return host(root, LOCK);
    };

    it(`pid ${pid}, just written: an unknown holder (exit 4), not a live process group; nothing changed`, async () => {
      const root = stamped(simpleRoot(2));
      lock(root);
      const before = treeHash(root);
      const r = await run(root, "apply", "switch", "1", "--yes");
      expectError(r, 4, `another switchyard apply holds ${host(root, LOCK)}: an unknown process; wait for it to finish`);
      expect(treeHash(root)).toBe(before);
    });

    it(`pid ${pid}, left long ago: taken over as a dead holder's lock`, async () => {
      const root = stamped(simpleRoot(2));
      const file = lock(root);
      const old = Date.now() / 1000 - 3600;
      fs.utimesSync(file, old, old);
      await ok(root, "apply", "switch", "1", "--yes");
      expect(readLink(root, PROFILE)).toBe("system-1-link");
      expect(fs.existsSync(file)).toBe(false);
    });
  }
});

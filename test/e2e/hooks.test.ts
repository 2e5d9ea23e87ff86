/**
 * Hooks and confirm-or-revert on the built binary: a pre-switch veto that changes nothing, a
 * failing health hook that reverts real services under s6, and provisional switches that revert by
 * themselves (even when the applying process is killed), stay once confirmed, or are reverted by
 * `recover` when their watcher was lost. The provisional ones run side by side, to keep this short.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasS6, ok as s6ok, supervisedRoots } from "./s6-support.js";
import { BIN, cleanUp, expectError, type GenerationSpec, linkOf, PROFILE, readLink, readText, REPO, run, systemOf, tempRoot, treeHash } from "./support.js";

const supervised = supervisedRoots();
afterAll(async () => {
  await supervised.stopAll();
  cleanUp();
});

const script = (lines: ReadonlyArray<string>) => `#!/bin/sh\n${lines.join("\n")}\n`;

/** Generation n's manifest with `hooks` (and services), and the programs it names. */
const gen = (n: number, hooks: Record<string, ReadonlyArray<string>>, services: ReadonlyArray<unknown> = []): GenerationSpec => ({
  number: n,
  manifest: { schema: 1, label: `Example OS ${n}`, boot: { kernel: "kernel", initrd: "initrd", params: [] }, activate: "activate", services, hooks },
});

/** Every hook appends "HOOK DIRECTION FROM->TO" to /var/log/hooks and exits with what $FAIL_<hook> file says (default 0). */
const installHooks = (root: string, n: number): void => {
  const bin = path.join(root, systemOf(n), "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(path.join(root, "var/log"), { recursive: true });
  const log = '"$SWITCHYARD_ROOT/var/log/hooks"';
  for (const [name, code] of [["pre", 0], ["veto", 3], ["post", 0], ["health", 0], ["sick", 1]] as const) {
    const said = name === "veto" ? "database migration in progress" : name === "sick" ? "web does not answer on :8080" : `${name} ok`;
    fs.writeFileSync(path.join(bin, name), script([`echo "$SWITCHYARD_HOOK $SWITCHYARD_DIRECTION $SWITCHYARD_FROM->$SWITCHYARD_TO" >> ${log}`, `echo "${said}"`, `exit ${code}`]), { mode: 0o755 });
  }
  fs.writeFileSync(path.join(bin, "svc"), script([`echo "start $1 ${n}" >> ../../var/log/services`, "exec sleep 1000"]), { mode: 0o755 });
};

const hookLog = (root: string): ReadonlyArray<string> => (readText(root, "/var/log/hooks") ?? "").split("\n").filter((l) => l !== "");

const rootWith = (one: Record<string, ReadonlyArray<string>>, two: Record<string, ReadonlyArray<string>>): string => {
  const root = tempRoot({ generations: [gen(1, one), gen(2, two)], current: 1, running: 1, booted: 1 });
  for (const n of [1, 2]) installHooks(root, n);
  return root;
};

const current = (root: string): string | null => readLink(root, PROFILE);
const poll = async (what: () => boolean, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return what();
};

describe("hooks", () => {
  it("a pre-switch hook that says no refuses plan and apply with exit 11, naming it and what it said, and changes nothing", async () => {
    const root = rootWith({ preSwitch: ["bin/veto"] }, {});
    // The hook's own log is its business: leave it out of what must not change.
    const before = treeHash(root, { exclude: ["/var/log/hooks"] });
    const message = "pre-switch hook bin/veto (generation 1) refused the switch: it exited with status 3: database migration in progress; nothing was changed";
    expectError(await run(root, "plan", "switch", "2"), 11, message);
    expectError(await run(root, "apply", "switch", "2", "--yes"), 11, message);
    expect(treeHash(root, { exclude: ["/var/log/hooks"] })).toBe(before);
    expect(hookLog(root)).toEqual(["preSwitch upgrade 1->2", "preSwitch upgrade 1->2"]);
  });

  it.runIf(hasS6)("a failing health hook reverts the switch: generation 1's services run again under s6, and no hook runs twice", async () => {
    const web = (n: number) => [{ name: "web", start: ["bin/svc", "web"], env: { V: String(n) } }];
    const root = await supervised.make(
      [
        { ...gen(1, { preSwitch: ["bin/pre"] }, web(1)) },
        { ...gen(2, { postSwitch: ["bin/post"], checkHealth: ["bin/sick"] }, web(2)) },
      ],
      installHooks,
    );
    expect((await s6ok(root, "plan", "switch", "2")).stdout).toContain("pre-switch hook bin/pre (generation 1) agrees (it is asked again at apply)\n");
    const r = await run(root, "--service-manager", "s6", "apply", "switch", "2", "--yes");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("health hook bin/sick (generation 2) exited with status 1");
    expect(r.stderr).toContain("web does not answer on :8080");
    expect(r.stderr).toContain("reverted");
    // The harness's own first switch (to generation 1, while nothing ran yet), then plan, then apply.
    expect(hookLog(root)).toEqual(["preSwitch same 1->1", "preSwitch upgrade 1->2", "preSwitch upgrade 1->2", "postSwitch upgrade 1->2", "checkHealth upgrade 1->2"]);
    expect(current(root)).toBe(path.basename(linkOf(1)));
    const status = JSON.parse((await s6ok(root, "status", "--json")).stdout) as { services: ReadonlyArray<{ name: string; observed: { up: boolean; generation: number | null } | null }> };
    expect(status.services.map((s) => [s.name, s.observed?.up, s.observed?.generation])).toEqual([["web", true, 1]]);
    const starts = (readText(root, "/var/log/services") ?? "").split("\n").filter((l) => l !== "");
    expect(starts).toEqual(["start web 1", "start web 2", "start web 1"]);
  });
});

describe("confirm or revert", () => {
  const provisional = async (root: string, seconds: string) => {
    const r = await run(root, "apply", "switch", "2", "--yes", "--confirm-within", seconds);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^provisional: generation 2 waits for 'switchyard confirm' until \S+; otherwise generation 1 comes back$/m);
    return r;
  };
  const menu = (root: string) => readText(root, "/boot/grub/grub.cfg");

  it.concurrent("an unconfirmed switch reverts by itself at its deadline; status shows it until then", async () => {
    const root = rootWith({}, {});
    await run(root, "apply", "switch", "1", "--yes");
    const menuBefore = menu(root);
    await provisional(root, "2");
    expect(current(root)).toBe(path.basename(linkOf(2)));
    const status = JSON.parse((await run(root, "status", "--json")).stdout) as { confirmation: { from: number; to: number; deadlineMs: number; watcherAlive: boolean } };
    expect(status.confirmation).toMatchObject({ from: 1, to: 2, watcherAlive: true });
    expect((await run(root, "status")).stdout).toMatch(/^Pending confirmation: generation 2 waits for 'switchyard confirm' until /m);
    expect(await poll(() => current(root) === path.basename(linkOf(1)), 8000)).toBe(true);
    expect(await poll(() => !fs.existsSync(path.join(root, "var/lib/switchyard/confirmation.json")), 2000)).toBe(true);
    expect(readLink(root, "/run/current-system")).toBe(systemOf(1));
    expect(menu(root)).toBe(menuBefore);
    expect(JSON.parse((await run(root, "status", "--json")).stdout).confirmation).toBeNull();
  });

  it.concurrent("a confirmed switch stays, and a second confirm finds nothing to confirm", async () => {
    const root = rootWith({}, {});
    await provisional(root, "2");
    const confirmed = await run(root, "confirm");
    expect([confirmed.code, confirmed.stdout]).toEqual([0, "confirmed: generation 2 stays; it no longer reverts to generation 1\n"]);
    await new Promise((r) => setTimeout(r, 2600));
    expect(current(root)).toBe(path.basename(linkOf(2)));
    expectError(await run(root, "confirm"), 1, "no switch waits for confirmation");
  });

  it.concurrent("the watcher reverts even when the applying process and its whole process group are killed", async () => {
    const root = rootWith({}, {});
    const child = spawn(process.execPath, [BIN, "--root", root, "apply", "switch", "2", "--yes", "--confirm-within", "2"], { cwd: REPO, detached: true, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("provisional:")) resolve();
      });
      child.on("exit", () => resolve());
    });
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // The group may already be gone: the watcher is not in it either way.
    }
    expect(out).toContain("provisional:");
    expect(await poll(() => current(root) === path.basename(linkOf(1)), 8000)).toBe(true);
    expect(readLink(root, "/run/current-system")).toBe(systemOf(1));
  });

  it.concurrent("recover reverts a switch whose watcher was lost once its deadline has passed", async () => {
    const root = rootWith({}, {});
    await provisional(root, "1");
    const pending = JSON.parse(readText(root, "/var/lib/switchyard/confirmation.json") ?? "{}") as { watcher: { pid: number } };
    process.kill(pending.watcher.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 1200));
    expect(current(root)).toBe(path.basename(linkOf(2)));
    expect((await run(root, "status")).stdout).toContain("(no watcher: run 'switchyard recover')");
    expectError(await run(root, "apply", "switch", "1", "--yes"), 1, "generation 2 waits for 'switchyard confirm'");
    const r = await run(root, "recover");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("not confirmed by its deadline: reverted generation 2; generation 1 is back");
    expect(current(root)).toBe(path.basename(linkOf(1)));
  });
});

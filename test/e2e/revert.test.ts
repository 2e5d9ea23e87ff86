/**
 * Reverts through the built binary. The links the commit relies on are read again just before it:
 * an activation that removed or retargeted the target's link (or /run/current-system) fails the
 * switch, which is reverted, instead of leaving a dangling profile. Under a real s6 supervision
 * tree, a failed switch puts back every service it touched whatever the records' flags, and the
 * report's headline agrees with its own state table.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exists, type GenerationSpec, host, linkOf, PROFILE, readLink, run, type Result, systemOf, tempRoot, treeHash } from "./support.js";
import { hasS6, S6, SCAN, supervisedRoots } from "./s6-support.js";

const MARKER = "/var/lib/switchyard/layout.v1";
const JOURNAL = "/var/lib/switchyard/journal";

/** Generation 2's activation runs `lines` (as sh) when switching to it; generation 1's does nothing. */
const rootWhoseActivation = (lines: ReadonlyArray<string>): string => {
  const root = tempRoot({ generations: [{ number: 1 }, { number: 2 }], current: 1, running: 1, booted: 1 });
  fs.writeFileSync(host(root, `${systemOf(1)}/activate`), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  fs.writeFileSync(host(root, `${systemOf(2)}/activate`), `#!/bin/sh\nif [ "$SWITCHYARD_ACTION" = switch ]; then\n${lines.join("\n")}\nfi\n`, { mode: 0o755 });
  return root;
};

/** Exit 1, one headline naming `path` and what the check found, reverted, and every link back on generation 1. */
const expectRevertedAtCheck = (r: Result, root: string, path_: string, found: string) => {
  expect(r.code, r.stderr).toBe(1);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("switchyard: "));
  expect(errors).toEqual([`switchyard: check ${path_} -> ${systemOf(2)} failed: ${host(root, path_)} ${found}, but the plan expects it to point to ${systemOf(2)}: something changed it during the switch (an activation script?)`]);
  expect(r.stderr).toContain("reverted: the previous generation is running again; the boot default did not move");
  expect(r.stdout).not.toContain("switched from generation 1 to 2");
  expect(readLink(root, PROFILE)).toBe("system-1-link");
  expect(readLink(root, "/run/current-system")).toBe(systemOf(1));
  expect(exists(root, JOURNAL)).toBe(false);
};

describe.concurrent("the commit point reads again the links it relies on", () => {
  it("an activation that removes the target's generation link: the switch is reverted, the profile never points at the missing link", async () => {
    const root = rootWhoseActivation([`rm "$SWITCHYARD_ROOT${linkOf(2)}"`]);
    const before = treeHash(root, { exclude: [MARKER, linkOf(2)] });
    const r = await run(root, "apply", "switch", "2", "--yes");
    expectRevertedAtCheck(r, root, linkOf(2), "is gone");
    // Everything but what the activation itself removed is as it was.
    expect(treeHash(root, { exclude: [MARKER, linkOf(2)] })).toBe(before);
    expect(exists(root, linkOf(2))).toBe(false);
  });

  it("an activation that retargets the target's generation link", async () => {
    const root = rootWhoseActivation([`ln -sfn /store/elsewhere "$SWITCHYARD_ROOT${linkOf(2)}"`]);
    const before = treeHash(root, { exclude: [MARKER, linkOf(2)] });
    const r = await run(root, "apply", "switch", "2", "--yes");
    expectRevertedAtCheck(r, root, linkOf(2), "points to /store/elsewhere");
    expect(treeHash(root, { exclude: [MARKER, linkOf(2)] })).toBe(before);
  });

  it("an activation that points /run/current-system elsewhere: reverted, and the revert puts the link back, so the tree is the old one", async () => {
    const root = rootWhoseActivation([`ln -sfn ${systemOf(1)} "$SWITCHYARD_ROOT/run/current-system"`]);
    const before = treeHash(root, { exclude: [MARKER] });
    const r = await run(root, "apply", "switch", "2", "--yes");
    expectRevertedAtCheck(r, root, "/run/current-system", `points to ${systemOf(1)}`);
    expect(treeHash(root, { exclude: [MARKER] })).toBe(before);
  });

  it("a saved plan shows the checks, and an activation that leaves the links alone passes them", async () => {
    const root = rootWhoseActivation(["echo fine"]);
    const plan = await run(root, "plan", "switch", "2", "--steps");
    expect(plan.stdout).toContain(`check ${linkOf(2)} -> ${systemOf(2)}`);
    expect(plan.stdout).toContain(`check /run/current-system -> ${systemOf(2)}`);
    expect(plan.stdout).toContain(`check ${PROFILE} -> system-1-link`);
    const r = await run(root, "apply", "switch", "2", "--yes");
    expect(r.code, r.stderr).toBe(0);
    expect(readLink(root, PROFILE)).toBe("system-2-link");
  });
});

// ---------------------------------------------------------------------------------------------------
// Under s6.

const supervised = supervisedRoots();
afterAll(supervised.stopAll);

const svc = (name: string, extra: Record<string, unknown> = {}) => ({ name, start: ["bin/svc", name], ...extra });

/** A long-running test program in each generation's system directory. */
const installProgram = (root: string, n: number): void => {
  const bin = path.join(root, systemOf(n), "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "svc"), `#!/bin/sh\necho "service $1 of generation ${n}"\nexec sleep 1000\n`, { mode: 0o755 });
};

const s6Root = (generations: ReadonlyArray<GenerationSpec>): Promise<string> => supervised.make(generations, installProgram);

/** name -> [up, generation whose revision it runs, matches the current generation], from `status --json`. */
const status = async (root: string): Promise<Record<string, readonly [boolean, number | null, boolean]>> => {
  const r = await run(root, ...S6, "status", "--json");
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as {
    readonly services: ReadonlyArray<{ readonly name: string; readonly observed: { readonly up: boolean; readonly generation: number | null } | null; readonly matches: boolean }>;
  };
  return Object.fromEntries(doc.services.map((s) => [s.name, [s.observed?.up ?? false, s.observed?.generation ?? null, s.matches] as const]));
};

describe.skipIf(!hasS6)("a failed switch under s6 restores every service it touched, whatever its flags", () => {
  it("restartIfChanged:false on the running record, stopOnRemoval:false on an added one: web is up on generation 1 again, extra is gone", async () => {
    const root = await s6Root([
      { number: 1, services: [svc("web", { env: { V: "1" }, restartIfChanged: false })] },
      // web changes and the target's record cycles it; extra is new and asks to be kept if removed.
      { number: 2, services: [svc("web", { env: { V: "2" } }), svc("extra", { stopOnRemoval: false })], activate: "fail" },
    ]);
    const r = await run(root, ...S6, "apply", "switch", "2", "--yes");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`activate ${systemOf(2)} (switch) failed`);
    expect(r.stderr).toContain("reverted: the previous generation is running again; the boot default did not move");
    expect(r.stderr).toMatch(/^ {4}web +up .* 1 +[0-9a-f]{16} +yes$/m);
    expect(r.stderr).not.toMatch(/^ {4}extra /m);
    expect(await status(root)).toEqual({ web: [true, 1, true] });
    expect(fs.readdirSync(path.join(root, SCAN)).filter((n) => !n.startsWith("."))).toEqual(["web"]);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
  });

  it("the headline does not say the previous generation runs again while one of its services is down", async () => {
    const root = await s6Root([
      { number: 1, services: [svc("db", { env: { V: "1" } }), svc("cron")] },
      { number: 2, services: [svc("db", { env: { V: "2" } }), svc("cron")], activate: "fail" },
    ]);
    // Someone took cron down by hand before the switch; the revert leaves it down, as it found it.
    expect(spawnSync("s6-svc", ["-wd", "-T", "5000", "-d", path.join(root, SCAN, "cron")]).status).toBe(0);
    const r = await run(root, ...S6, "apply", "switch", "2", "--yes");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain("the previous generation is running again");
    expect(r.stderr).toContain("reverted, but cron is not running (see the state below); the links and the boot default are as they were");
    expect(r.stderr).toMatch(/^ {4}cron +(not supervised|down).* +no: not running$/m);
    expect(r.stderr).toMatch(/^ {4}db +up .* 1 +[0-9a-f]{16} +yes$/m);
    expect((await status(root)).db).toEqual([true, 1, true]);
  });
});

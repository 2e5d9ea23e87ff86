/**
 * How the output reads, on the built binary: plans at a glance (marks, reasons, one summary line),
 * colours only when asked for by the environment (FORCE_COLOR) and never with NO_COLOR or on a
 * pipe, an ASCII fallback outside a UTF-8 locale, apply's progress lines, list and describe.
 */
import { spawn, spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, Fixture, REPO, type Result, cleanUp, tempRoot, treeHash } from "./support.js";

afterAll(cleanUp);

const ESC = "\u001b[";
const LOCALE_AND_COLOUR = /^(LANG|LC_ALL|LC_CTYPE|NO_COLOR|FORCE_COLOR|TERM)$/;

/** The binary with exactly these locale and colour variables (the rest of the environment kept). */
const runEnv = (env: Record<string, string>, root: string, ...args: ReadonlyArray<string>): Promise<Result> =>
  new Promise((resolve, reject) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !LOCALE_AND_COLOUR.test(k)));
    const child = spawn(process.execPath, [BIN, "--root", root, ...args], { cwd: REPO, env: { ...base, TZ: "UTC", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Array<Buffer> = [];
    const err: Array<Buffer> = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });

const UTF8 = { LANG: "C.UTF-8" };

/** The demo's generations, created on 2024-01-0N at 12:30:15 UTC. */
const createdAt = (n: number): number => Date.UTC(2024, 0, n, 12, 30, 15);
const demoRoot = () =>
  tempRoot({ generations: Fixture.demoGenerations().map((g) => ({ ...g, createdMs: createdAt(g.number) })), current: 3, running: 3, booted: 3 });

describe.concurrent("plans at a glance", () => {
  const root = demoRoot();

  it("marks each service with what happens and why, then one summary line", async () => {
    const r = await runEnv(UTF8, root, "plan", "switch", "2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      ["Services:", "  -   cache  not in generation 2", "  -/+ db     changed: env", "  -/+ web    requires db, which stops"].join("\n"),
    );
    expect(r.stdout).toContain("  ~   default generation 3 → 2 (after the commit); entries 2, 3, 1");
    expect(r.stdout).toContain("  ↻   run the activation script of generation 2 (switch)");
    expect(r.stdout).toContain("\n3 to stop, 2 to start.\n");
    expect(r.stdout).not.toContain(ESC);
  });

  it("a switch with every kind of change: start, reload, restart in place, left on old code", async () => {
    const svc = (name: string, extra: Record<string, unknown> = {}) => ({ name, start: ["/bin/sleep", "infinity"], ...extra });
    const rich = tempRoot({
      generations: [
        { number: 1, services: [svc("db", { env: { V: "1" } }), svc("cache", { env: { V: "1" }, stopIfChanged: false }), svc("rl", { reload: ["/bin/true"], reloadTriggers: ["a"] }), svc("pinned")] },
        {
          number: 2,
          services: [
            svc("db", { env: { V: "1" } }),
            svc("cache", { env: { V: "2" }, stopIfChanged: false }),
            svc("rl", { reload: ["/bin/true"], reloadTriggers: ["b"] }),
            svc("pinned", { env: { V: "2" }, restartIfChanged: false }),
            svc("new"),
          ],
        },
      ],
      current: 1,
      running: 1,
      booted: 1,
    });
    const r = await runEnv(UTF8, rich, "plan", "switch", "2");
    expect(r.stdout).toContain("  ~   cache   changed: env (in place: stopIfChanged is false)\n");
    expect(r.stdout).toContain("  ↻   rl      changed: reloadTriggers\n");
    expect(r.stdout).toContain("  +   new     new in generation 2\n");
    expect(r.stdout).toContain("  !   pinned  left on old code: changed, not restarted (restartIfChanged is false)\n");
    expect(r.stdout).toContain("      1 unchanged\n");
    expect(r.stdout).toContain("  ~   restart debt: 1 service left on old code (pinned)\n");
    expect(r.stdout).toContain("\n1 to start, 1 to restart, 1 to reload, 1 left on old code.\n");
  });

  it("colours with FORCE_COLOR, even on a pipe", async () => {
    const r = await runEnv({ ...UTF8, FORCE_COLOR: "1" }, root, "plan", "switch", "2");
    expect(r.stdout).toContain(`${ESC}1mPlan: switch from generation 3 to 2 (mode switch)${ESC}0m`);
    expect(r.stdout).toContain(`  ${ESC}31m-${ESC}0m   cache`);
    expect(r.stdout).toContain(`  ${ESC}33m-/+${ESC}0m db`);
    expect(r.stdout).toContain(`${ESC}1m3 to stop, 2 to start.${ESC}0m`);
  });

  it("no colours with NO_COLOR, even when FORCE_COLOR is set too, and none on a pipe by default", async () => {
    const envs: ReadonlyArray<Record<string, string>> = [{ NO_COLOR: "1", FORCE_COLOR: "1" }, { NO_COLOR: "1" }, {}, { FORCE_COLOR: "0" }];
    for (const env of envs) {
      const r = await runEnv({ ...UTF8, ...env }, root, "plan", "switch", "2");
      expect({ env, escapes: r.stdout.includes(ESC) }).toEqual({ env, escapes: false });
    }
  });

  it("plain ASCII when the locale is not UTF-8 (LC_ALL over LC_CTYPE over LANG)", async () => {
    const envs: ReadonlyArray<Record<string, string>> = [{}, { LANG: "C" }, { LC_ALL: "C", LANG: "C.UTF-8" }, { LC_CTYPE: "POSIX", LANG: "en_US.UTF-8" }];
    for (const env of envs) {
      const r = await runEnv(env, root, "plan", "switch", "2");
      expect(r.stdout).toContain("  ~   default generation 3 -> 2 (after the commit); entries 2, 3, 1");
      expect(r.stdout).toContain("  *   run the activation script of generation 2 (switch)");
      expect({ env, nonAscii: /[^\u0000-\u007f]/.test(r.stdout) }).toEqual({ env, nonAscii: false });
    }
    const utf8 = await runEnv({ LC_ALL: "en_US.UTF-8", LANG: "C" }, root, "plan", "switch", "2");
    expect(utf8.stdout).toContain("3 → 2");
  });

  it("a delete plan names the generations and the boot entries it removes", async () => {
    const r = await runEnv(UTF8, root, "plan", "delete", "1..2");
    expect(r.stdout).toContain("  -   entries of generations 1, 2\n");
    expect(r.stdout).toContain("  -   2 generation links (1, 2); the system directories stay for garbage collection\n");
    expect(r.stdout).toContain("\n2 generations to delete.\n");
  });
});

/** A command run on a pseudo-terminal (util-linux `script`), as someone at a terminal sees it. */
const onTerminal = (env: Record<string, string>, command: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const quoted = [process.execPath, BIN, ...command].map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !LOCALE_AND_COLOUR.test(k)));
    const child = spawn("script", ["-qec", quoted, "/dev/null"], { cwd: REPO, env: { ...base, TZ: "UTC", TERM: "xterm", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Array<Buffer> = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.on("error", reject);
    child.on("close", () => resolve(Buffer.concat(out).toString("utf8")));
  });

const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;

describe.concurrent("apply shows its progress", () => {
  it("one line per step with its outcome and time, the script's output between, and the elapsed time at the end", async () => {
    const root = demoRoot();
    const r = await runEnv(UTF8, root, "apply", "switch", "2", "--yes");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines[0]).toMatch(/^\[1\/13\] stop web … ok [0-9]+\.[0-9]{2} s$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\[7\/13\] start web … ok [0-9]+\.[0-9]{2} s$/));
    // The activation's output interrupts its line, which is then repeated with its outcome.
    const activation = lines.findIndex((l) => l.startsWith("  | activated"));
    expect(lines[activation - 1]).toMatch(/^\[5\/13\] activate .* \(switch\) …$/);
    expect(lines[activation + 1]).toMatch(/^\[5\/13\] activate .* \(switch\) … ok [0-9.]+ s$/);
    expect(lines.at(-1)).toMatch(/^\[13\/13\] write \/boot\/grub\/grub\.cfg \([0-9]+ bytes\) … ok [0-9.]+ s$/);
    expect(r.stdout).toMatch(/\nswitched from generation 3 to 2 in [0-9]+\.[0-9]{2} s\n$/);
  });

  it("a failed step says so, and the revert steps follow with their own counter", async () => {
    const root = tempRoot({ generations: [{ number: 1 }, { number: 2, activate: "fail" }], current: 1, running: 1, booted: 1 });
    const r = await runEnv({}, root, "apply", "switch", "2", "--yes");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\[2\/8\] activate .* \(switch\) \.\.\. failed [0-9.]+ s$/m);
    expect(r.stderr).toMatch(/^\[revert 1\/2\] link \/run\/current-system -> .* \.\.\. ok [0-9.]+ s$/m);
  });

  it.skipIf(!hasScript)("long work on a terminal: one progress bar redrawn in place, then one line", async () => {
    const root = tempRoot({ generations: Array.from({ length: 120 }, (_, i) => ({ number: i + 1 })), current: 120, running: 120, booted: 120 });
    const screen = await onTerminal(UTF8, ["--root", root, "apply", "delete", "..110", "--yes"]);
    expect(screen).toMatch(/\r\u001b\[K\[[█░]{24}\] [0-9]+\/112 {2}[0-9.]+ s/);
    expect(screen).toMatch(/\[112\/112\] 112 steps … \u001b\[32mok\u001b\[0m [0-9.]+ s/);
    expect(screen).not.toMatch(/\[5\/112\] remove/);
    expect(screen).toMatch(/deleted generations 1-110 in [0-9.]+ s/);
  });

  it.skipIf(!hasScript)("on a terminal colours are on by default, and NO_COLOR still turns them off", async () => {
    const root = demoRoot();
    expect(await onTerminal(UTF8, ["--root", root, "plan", "switch", "2"])).toContain(`${ESC}1mPlan:`);
    expect(await onTerminal({ ...UTF8, NO_COLOR: "1" }, ["--root", root, "plan", "switch", "2"])).not.toContain(ESC);
  });

  it("on a pipe long work still gets a line per step (a log), never a bar", async () => {
    const root = tempRoot({ generations: Array.from({ length: 60 }, (_, i) => ({ number: i + 1 })), current: 60, running: 60, booted: 60 });
    const r = await runEnv(UTF8, root, "apply", "delete", "..55", "--yes");
    expect(r.stderr).not.toContain("\r");
    expect(r.stderr.split("\n").filter((l) => / … ok /.test(l))).toHaveLength(57);
  });
});

describe.concurrent("list and describe", () => {
  const root = demoRoot();

  it("list shows the creation time to the second; --long adds services, kernel and parameters", async () => {
    const r = await runEnv(UTF8, root, "list");
    expect(r.stdout.split("\n")[1]).toBe("         1  2024-01-01 12:30:15  Example OS 24.05 (Linux 6.6.30)");
    const long = await runEnv(UTF8, root, "list", "--long");
    expect(long.stdout).toBe(
      [
        "Generation  Created              Label                            Services  Kernel  Parameters",
        "         1  2024-01-01 12:30:15  Example OS 24.05 (Linux 6.6.30)  1         kernel  quiet",
        "         2  2024-01-02 12:30:15  Example OS 24.11 (Linux 6.8.9)   2         kernel  quiet",
        "         3  2024-01-03 12:30:15  Example OS 24.11 (Linux 6.8.12)  3         kernel  quiet       current, running, booted",
        "",
      ].join("\n"),
    );
    expect((await runEnv(UTF8, root, "list", "-l", "2")).stdout.split("\n")[1]).toContain("  2         kernel  quiet");
    const doc = JSON.parse((await runEnv(UTF8, root, "list", "--long", "--json")).stdout);
    expect(doc.generations[2]).toMatchObject({ number: 3, params: ["quiet"], serviceCount: 3, kernel: expect.stringMatching(/-example-os-3\/kernel$/) });
  });

  it("describe N and show N describe any generation; -K counts back from the current one", async () => {
    const two = await runEnv(UTF8, root, "describe", "2");
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/^Generation 2\n {2}created {3}2024-01-02 12:30:15\n/);
    expect(two.stdout).toContain("    web (requires db): /bin/sleep infinity");
    // Not the current one: no note about what runs instead, no restart debt.
    expect(two.stdout).not.toContain("note");
    expect((await runEnv(UTF8, root, "show", "-2")).stdout).toMatch(/^Generation 1\n/);
    expect(JSON.parse((await runEnv(UTF8, root, "show", "2", "--json")).stdout)).toMatchObject({ number: 2, current: false });
    expect((await runEnv(UTF8, root, "describe")).stdout).toMatch(/^Generation 3 \(current, running, booted\)\n/);
  });

  it("describe of a generation that is not there is refused, exit 2", async () => {
    const missing = await runEnv(UTF8, root, "describe", "9");
    expect([missing.code, missing.stderr]).toEqual([2, "switchyard: generation 9 does not exist; see 'switchyard list'\n"]);
    const beyond = await runEnv(UTF8, root, "show", "+1");
    expect([beyond.code, beyond.stderr]).toEqual([2, "switchyard: there is no generation '+1' from the current one (3); see 'switchyard list'\n"]);
    const two = await runEnv(UTF8, root, "describe", "1", "2");
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("describe takes at most one generation N");
  });

  it("the help names the alias", async () => {
    expect((await runEnv(UTF8, root, "help", "show")).stdout).toMatch(/^switchyard describe — .* \(also: show\)\n/);
  });
});

describe.concurrent("add lists every problem of a manifest at once", () => {
  it("each with its line, column and field, and 'did you mean' for a misspelt field; nothing is added", async () => {
    const root = demoRoot();
    const manifest = [
      "{",
      '  "schema": 1,',
      '  "label": "Broken",',
      '  "boot": { "kernal": "kernel" },',
      '  "services": [',
      '    { "name": "db", "start": ["/bin/db"], "restartIfChanges": false },',
      '    { "name": "web", "start": [], "stopIfChanged": "no" }',
      "  ]",
      "}",
      "",
    ].join("\n");
    const system = Fixture.makeSystem(root, { number: 9, manifest });
    const before = treeHash(root);
    const r = await runEnv(UTF8, root, "add", system);
    const file = `${root}${system}/manifest.json`;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `switchyard: cannot add ${system}: its manifest has 5 problems; fix them and try again`,
        `  ${file}:4:3: boot.kernel: missing; expected a non-empty string`,
        `  ${file}:4:13: boot.kernal: unknown field 'kernal'; did you mean 'kernel'?`,
        `  ${file}:6:43: services[0].restartIfChanges: unknown field 'restartIfChanges'; did you mean 'restartIfChanged'?`,
        `  ${file}:7:22: services[1].start: expected a non-empty argv array`,
        `  ${file}:7:35: services[1].stopIfChanged: expected boolean, found string "no"`,
        "",
      ].join("\n"),
    );
    expect(treeHash(root)).toBe(before);
  });

  it("a syntax error is one problem, at its line and column", async () => {
    const root = demoRoot();
    const system = Fixture.makeSystem(root, { number: 9, manifest: '{\n  "schema": 1\n  "label": "x"\n}\n' });
    const r = await runEnv(UTF8, root, "add", system);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`switchyard: cannot add ${system}: its manifest has a problem; fix it and try again\n  ${root}${system}/manifest.json:3:3: expected ',' or '}', found '"'\n`);
  });
});

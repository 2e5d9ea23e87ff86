/**
 * The shell completion scripts, generated from the command and option tables: checked by the
 * shells themselves (`bash -n`, `zsh -n`, `fish --no-execute`), then by completing in a real bash
 * (the function `complete -p` names, called with COMP_WORDS and COMP_CWORD as bash would) and, when
 * fish is installed, in fish's own completion engine. The man page comes from the same tables.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as Commands from "../../packages/cli/src/args/Commands.js";
import * as Options from "../../packages/cli/src/args/Options.js";
import { BIN, Fixture, REPO, cleanUp, ok, runRaw, tempDir, tempRoot } from "./support.js";

afterAll(cleanUp);

const has = (program: string): boolean => spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;

/** A directory with a `switchyard` on the PATH that runs the built binary, as an installed one would. */
const binDir = (() => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "switchyard"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  return dir;
})();
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}` };

const root = tempRoot({ generations: Fixture.demoGenerations(), current: 3, running: 3, booted: 3 });
const other = tempRoot({ generations: [{ number: 4 }, { number: 7 }], current: 7 });

const script = (shell: string): string => {
  const r = spawnSync(process.execPath, [BIN, "completion", shell], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

/** What bash completes for the words of a line, the last being the one under the cursor; sorted. */
const bash = (...lines: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const file = path.join(tempDir(), "completion.bash");
  fs.writeFileSync(file, script("bash"));
  const calls = lines
    .map((words) => `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); "$f"; printf '%s\\n' "\${COMPREPLY[*]}"`)
    .join("\n");
  // The function is the one `complete -p` says bash would call.
  const program = `source '${file}'\nf=$(complete -p switchyard | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')\n${calls}\n`;
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", program], { encoding: "utf8", env });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe("");
  return r.stdout
    .split("\n")
    .slice(0, lines.length)
    .map((l) => l.split(" ").filter((w) => w !== "").sort().join(" "));
};

const sorted = (words: ReadonlyArray<string>): string => [...words].sort().join(" ");

describe("the scripts parse", () => {
  it("bash -n", () => {
    const file = path.join(tempDir(), "c.bash");
    fs.writeFileSync(file, script("bash"));
    const r = spawnSync("bash", ["-n", file], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });

  it.skipIf(!has("zsh"))("zsh -n", () => {
    const file = path.join(tempDir(), "_switchyard");
    fs.writeFileSync(file, script("zsh"));
    const r = spawnSync("zsh", ["-n", file], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(script("zsh").startsWith("#compdef switchyard\n")).toBe(true);
  });

  it.skipIf(!has("fish"))("fish --no-execute", () => {
    const file = path.join(tempDir(), "switchyard.fish");
    fs.writeFileSync(file, script("fish"));
    const r = spawnSync("fish", ["--no-execute", file], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });

  it("an unknown shell is a usage error", async () => {
    const r = await runRaw(["completion", "tcsh"]);
    expect([r.code, r.stderr]).toEqual([2, "switchyard completion: completion takes one SHELL: bash, zsh or fish; see 'switchyard help completion'\n"]);
  });
});

describe("completing in bash", () => {
  it("commands and aliases, then each command's own options, exactly as the tables list them", () => {
    const names = Commands.COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    const [all, d] = bash(["switchyard", ""], ["switchyard", "d"]);
    expect(all).toBe(sorted(names));
    expect(d).toBe("describe diff");
    const perCommand = bash(...Commands.COMMANDS.map((c) => ["switchyard", c.name, "--"]));
    Commands.COMMANDS.forEach((c, i) => {
      const flags = Options.of(c.name).map((o) => `--${o.name}`);
      expect([c.name, perCommand[i]]).toEqual([c.name, sorted(flags)]);
    });
    expect(bash(["switchyard", "list", "-"])[0]).toContain("-l");
  });

  it("choice values after their option, also written --name=value", () => {
    expect(bash(["switchyard", "plan", "rollback", "--mode", ""], ["switchyard", "plan", "rollback", "--mode", "=", "b"], ["switchyard", "status", "--service-manager", ""])).toEqual([
      "boot switch test try",
      "boot",
      "none s6",
    ]);
  });

  it("generation numbers of the root and profile on the line, after describe, diff, list and an operation", () => {
    const r = ["--root", root];
    expect(
      bash(
        ["switchyard", ...r, "describe", ""],
        ["switchyard", "show", ...r, ""],
        ["switchyard", ...r, "diff", "-1", ""],
        ["switchyard", ...r, "plan", ""],
        ["switchyard", ...r, "apply", "switch", ""],
        ["switchyard", ...r, "apply", "--mode", "test", "switch", ""],
        ["switchyard", ...r, "plan", "delete", ""],
        ["switchyard", "--root", other, "list", ""],
        ["switchyard", "--root", other, "--profile", "/nowhere/system", "list", ""],
      ),
    ).toEqual(["1 2 3", "1 2 3", "1 2 3", "delete rollback switch", "1 2 3", "1 2 3", "1 2 3 old", "4 7", ""]);
  });

  it("the words of other commands: supervisor actions, shells, command names after help, services after restart", () => {
    expect(bash(["switchyard", "supervisor", ""], ["switchyard", "completion", ""], ["switchyard", "help", "st"], ["switchyard", "--root", root, "restart", ""], ["switchyard", "restart", "--root", root, "db", "w"])).toEqual([
      "start status stop",
      "bash fish zsh",
      "status",
      "cache db web",
      "web",
    ]);
  });

  it("directories for a directory option", () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "alpha"));
    fs.writeFileSync(path.join(dir, "afile"), "");
    expect(bash(["switchyard", "list", "--root", `${dir}/a`])).toEqual([`${dir}/alpha`]);
  });
});

describe.skipIf(!has("fish"))("completing in fish", () => {
  const fish = (line: string): ReadonlyArray<string> => {
    const file = path.join(tempDir(), "switchyard.fish");
    fs.writeFileSync(file, script("fish"));
    const r = spawnSync("fish", ["--no-config", "-c", `source '${file}'; complete -C '${line}'`], { encoding: "utf8", env });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\t")[0] as string)
      .sort();
  };

  it("commands, options of the command, choices and generation numbers", () => {
    expect(fish("switchyard d")).toEqual(["describe", "diff"]);
    expect(fish("switchyard list --lo")).toEqual(["--long"]);
    expect(fish("switchyard plan rollback --mode ")).toEqual(["boot", "switch", "test", "try"]);
    expect(fish(`switchyard --root ${root} describe `)).toEqual(["1", "2", "3"]);
    expect(fish(`switchyard --root ${root} apply switch `)).toEqual(["1", "2", "3"]);
  });
});

describe("the hidden lists the scripts ask for", () => {
  it("completion generations and services: one per line, and nothing (not an error) for a root that is not one", async () => {
    expect((await ok(root, "completion", "generations")).stdout).toBe("1\n2\n3\n");
    expect((await ok(root, "completion", "services")).stdout).toBe("cache\ndb\nweb\n");
    const empty = tempDir();
    expect((await ok(empty, "completion", "generations")).stdout).toBe("");
    expect((await ok(empty, "completion", "services")).stdout).toBe("");
  });
});

describe("the man page", () => {
  const page = path.join(REPO, "packages/cli/switchyard.1");

  it("is built with the package and listed in its package.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "packages/cli/package.json"), "utf8")) as { man?: unknown; files?: ReadonlyArray<string> };
    expect(pkg.man).toEqual(["./switchyard.1"]);
    expect(pkg.files).toContain("switchyard.1");
    expect(fs.existsSync(page)).toBe(true);
  });

  it("documents every command and every option of the tables", () => {
    const text = fs.readFileSync(page, "utf8");
    expect(text).toMatch(/^\.TH SWITCHYARD 1 /m);
    for (const c of Commands.COMMANDS) expect(text, c.name).toMatch(new RegExp(`^\\.SS ${c.name}\\b`, "m"));
    for (const o of Options.OPTIONS) expect(text, o.name).toContain(`\\-\\-${o.name.replace(/-/g, "\\-")}`);
  });

  it.skipIf(!has("groff"))("groff renders it without a warning", () => {
    const r = spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z", page], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    const shown = spawnSync("groff", ["-man", "-Tascii", "-P-c", page], { encoding: "utf8" }).stdout.replace(/.\u0008/g, "");
    expect(shown).toContain("switchyard - switch a system between generations");
    expect(shown).toMatch(/--mode switch\|boot\|test/);
  });

  it.skipIf(!has("man"))("man -l shows it", () => {
    const r = spawnSync("man", ["-l", page], { encoding: "utf8", env: { ...process.env, MANPAGER: "cat", PAGER: "cat", MANWIDTH: "100" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("EXIT STATUS");
  });
});

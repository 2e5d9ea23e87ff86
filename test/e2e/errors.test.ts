/**
 * Every error a user can hit, through the built binary. Each refusal must (1) exit with the
 * documented code (1 failed or nothing matched, 2 invalid input or usage, 3 stale plan, 4 locked),
 * (2) say so in one line on stderr beginning `switchyard: ` that names the thing, with no stack
 * trace, and (3) leave the root exactly as it was.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as PlanFile from "../../packages/model/src/plan/PlanFile.js";
import {
  Fixture,
  PROFILE,
  PROFILE_DIR,
  REPO,
  cleanUp,
  exists,
  expectError,
  generationNumbers,
  host,
  linkOf,
  ok,
  readLink,
  run,
  runRaw,
  simpleRoot,
  systemOf,
  tempDir,
  tempRoot,
  treeHash,
  type GenerationSpec,
  type Result,
} from "./support.js";

afterAll(cleanUp);

const Invalid = 2;
const Failed = 1;
const Stale = 3;
const Locked = 4;
const LOCK = "/var/lib/switchyard/lock";

/** Run, then check that the root did not change and that the refusal reads as it should. */
const refuses = async (root: string, args: ReadonlyArray<string>, code: number, message: string | RegExp): Promise<Result> => {
  const before = treeHash(root);
  const r = await run(root, ...args);
  expect(treeHash(root), `switchyard ${args.join(" ")} changed the root; stderr: ${r.stderr}`).toBe(before);
  expectError(r, code, message);
  return r;
};

/** Generations 1 and 2 (current, running, booted) and a target 3 built from `three`. */
const rootWithTarget = (three: Partial<GenerationSpec>): string =>
  tempRoot({ generations: [{ number: 1 }, { number: 2 }, { number: 3, ...three }], current: 2, running: 2, booted: 2 });

const manifestFile = (root: string, n: number): string => host(root, `${systemOf(n)}/manifest.json`);

const manifest = (extra: Record<string, unknown>) => ({ schema: 1, label: "Broken", boot: { kernel: "kernel" }, ...extra });

describe.concurrent("an invalid manifest of the target is refused before anything is touched", () => {
  const switchTo3 = ["apply", "switch", "3", "--yes"];
  const prefix = (root: string) => `cannot switch to generation 3: ${manifestFile(root, 3)}: `;

  it("malformed JSON", async () => {
    const root = rootWithTarget({ manifest: "{ schema: 1 }\n" });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}(file): not valid JSON`);
  });

  it("a truncated manifest", async () => {
    const root = rootWithTarget({ manifest: '{"schema": 1, "label": "Trunc' });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}(file): not valid JSON`);
  });

  it("an unknown schema, naming the field as written", async () => {
    const root = rootWithTarget({ manifest: manifest({ schema: 2 }) });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}schema: unknown schema 2: this switchyard reads schema 1`);
  });

  it("a missing kernel, naming the field as written", async () => {
    const root = rootWithTarget({ manifest: manifest({ boot: { initrd: "initrd" } }) });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}boot.kernel: `);
  });

  it("an unknown field", async () => {
    const root = rootWithTarget({ manifest: manifest({ colour: "red" }) });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}colour: unknown field 'colour'`);
  });

  it("duplicate service names", async () => {
    const root = rootWithTarget({ services: [{ name: "db", start: ["/bin/true"] }, { name: "db", start: ["/bin/false"] }] });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}services[1].name: duplicate service name 'db'`);
  });

  it("a requirement cycle", async () => {
    const root = rootWithTarget({
      services: [
        { name: "a", requires: ["b"], start: ["/bin/true"] },
        { name: "b", requires: ["a"], start: ["/bin/true"] },
      ],
    });
    await refuses(root, switchTo3, Invalid, "requirement cycle: a -> b -> a");
  });

  it("an unknown requirement", async () => {
    const root = rootWithTarget({ services: [{ name: "web", requires: ["db"], start: ["/bin/true"] }] });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}services[0].requires[0]: 'web' requires 'db', which no service in this generation provides`);
  });

  it("a service name with '/', naming the field as written", async () => {
    const root = rootWithTarget({ services: [{ name: "a/b", start: ["/bin/true"] }] });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}services[0].name: invalid service name 'a/b'`);
  });

  it("a service name '..', naming the field as written", async () => {
    const root = rootWithTarget({ services: [{ name: "..", start: ["/bin/true"] }] });
    await refuses(root, switchTo3, Invalid, `${prefix(root)}services[0].name: invalid service name '..'`);
  });

  it("bytes that are not UTF-8", async () => {
    const root = rootWithTarget({});
    fs.writeFileSync(
      manifestFile(root, 3),
      Buffer.concat([Buffer.from('{"schema":1,"label":"caf'), Buffer.from([0xe9, 0xff]), Buffer.from('","boot":{"kernel":"kernel"}}\n')]),
    );
    await refuses(root, switchTo3, Invalid, `${prefix(root)}(file): not valid UTF-8`);
  });

  it("a manifest over 16 MiB (not read at all)", async () => {
    const root = rootWithTarget({});
    fs.writeFileSync(manifestFile(root, 3), '{"schema":1,');
    fs.truncateSync(manifestFile(root, 3), 16 * 1024 * 1024 + 1); // sparse: fast to make
    await refuses(root, switchTo3, Invalid, `${prefix(root)}(file): 16777217 bytes is over the 16 MiB limit`);
  });

  it("an invalid manifest of another generation is listed, not fatal", async () => {
    const root = rootWithTarget({ manifest: "{" });
    const before = treeHash(root);
    const listed = JSON.parse((await ok(root, "list", "--json")).stdout).generations;
    expect(listed[2]).toMatchObject({ number: 3, label: null });
    expect(listed[2].error).toContain("not valid JSON");
    await ok(root, "apply", "switch", "1", "--yes");
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(treeHash(root)).not.toBe(before);
  });
});

describe.concurrent("a profile in a shape switchyard did not leave is refused, naming the link", () => {
  const attempt = ["apply", "switch", "1", "--yes"];

  it("a generation link escaping the root through a relative target", async () => {
    const root = simpleRoot(2);
    Fixture.link(root, linkOf(3), `${"../".repeat(12)}etc`);
    await refuses(root, attempt, Invalid, `${host(root, linkOf(3))} points outside the root (${"../".repeat(12)}etc)`);
  });

  it("a generation link escaping the root through a symlink on the way", async () => {
    const root = simpleRoot(2);
    fs.symlinkSync("/etc", host(root, "/escape"));
    Fixture.link(root, linkOf(3), "/escape");
    await refuses(root, attempt, Invalid, `${host(root, "/escape")} resolves outside the root (to /etc)`);
  });

  it("a dangling profile link", async () => {
    const root = simpleRoot(2);
    Fixture.link(root, PROFILE, "system-7-link");
    await refuses(root, attempt, Invalid, `${host(root, PROFILE)} is dangling: system-7-link does not exist`);
  });

  it("a profile link pointing to something that is not a generation", async () => {
    const root = simpleRoot(2);
    Fixture.link(root, PROFILE, systemOf(2));
    await refuses(root, attempt, Invalid, `${host(root, PROFILE)} points to ${systemOf(2)}, which is not a generation of this profile`);
  });

  it("a regular file where the profile link should be", async () => {
    const root = simpleRoot(2);
    fs.rmSync(host(root, PROFILE));
    fs.writeFileSync(host(root, PROFILE), "system-2-link\n");
    await refuses(root, attempt, Invalid, `${host(root, PROFILE)} should be a symlink but is a file`);
  });

  it("a regular file where a generation link should be", async () => {
    const root = simpleRoot(2);
    fs.writeFileSync(host(root, linkOf(4)), "not a link\n");
    await refuses(root, attempt, Invalid, `${host(root, linkOf(4))} should be a symlink to a system directory but is a file`);
  });

  it("system-01-link in the profile directory", async () => {
    const root = simpleRoot(2);
    Fixture.link(root, `${PROFILE_DIR}/system-01-link`, systemOf(1));
    await refuses(root, attempt, Invalid, `${host(root, `${PROFILE_DIR}/system-01-link`)}: '01' is not a generation number`);
    await refuses(root, ["list"], Invalid, "'01' is not a generation number");
  });

  it("/run/current-system escaping the root", async () => {
    const root = simpleRoot(2);
    Fixture.link(root, "/run/current-system", `${"../".repeat(8)}etc`);
    await refuses(root, attempt, Invalid, `${host(root, "/run/current-system")} points outside the root`);
  });

  it("/run/booted-system escaping the root", async () => {
    const root = simpleRoot(2);
    Fixture.link(root, "/run/booted-system", `${"../".repeat(8)}etc`);
    await refuses(root, ["list"], Invalid, `${host(root, "/run/booted-system")} points outside the root`);
  });
});

describe.concurrent("invalid patterns", () => {
  it.each([
    ["0x5", "invalid generation pattern '0x5': use N, N,M"],
    ["5..3", "invalid generation pattern '5..3': the range starts after it ends"],
    ["1,,2", "invalid generation pattern '1,,2': a list element is empty"],
    ["3D", "invalid generation pattern '3D': units are lowercase ('d')"],
    ["", "invalid generation pattern '': the pattern is empty"],
    ["..", "invalid generation pattern '..': a range needs at least one end"],
  ])("%j is refused by list and delete", async (pattern, message) => {
    const root = simpleRoot(2);
    await refuses(root, ["list", pattern], Invalid, message);
    await refuses(root, ["apply", "delete", pattern, "--yes"], Invalid, message);
  });

  it("+N and old only make sense for delete", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["list", "+1"], Invalid, "invalid generation pattern '+1': '+N' only makes sense for delete");
    await refuses(root, ["list", "old"], Invalid, "invalid generation pattern 'old': 'old' only makes sense for delete");
  });

  it("+0 would delete the current generation", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["apply", "delete", "+0", "--yes"], Invalid, "invalid generation pattern '+0'");
  });

  it("a list pattern that matches nothing", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["list", "9"], Failed, "no matching generation");
  });
});

describe.concurrent("operations that cannot be done", () => {
  it("switch to a generation that does not exist", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["apply", "switch", "9", "--yes"], Invalid, "generation 9 does not exist");
  });

  it("switch to a relative spec out of range", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["apply", "switch", "+5", "--yes"], Failed, "cannot switch to '+5': only 1 generation is newer than the current one (2)");
    await refuses(root, ["apply", "switch", "-5", "--yes"], Failed, "cannot switch to '-5': only 1 generation is older than the current one (2)");
  });

  it("switch to a spec that is not one", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["apply", "switch", "two", "--yes"], Invalid, "invalid generation spec 'two'");
  });

  it("rollback with nothing older", async () => {
    const oldest = simpleRoot(1);
    await refuses(oldest, ["apply", "rollback", "--yes"], Failed, "no generation older than the current one (1)");
  });

  it("delete with nothing matching", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["apply", "delete", "9", "--yes"], Failed, "no matching generation");
    await refuses(root, ["apply", "delete", "1000d", "--yes"], Failed, "no matching generation");
  });

  it("delete with only the current one matching", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["apply", "delete", "2", "--yes"], Failed, "not removing generation 2, which is current");
  });

  it("delete never removes the booted generation", async () => {
    const booted = simpleRoot(3, { booted: 1 });
    await refuses(booted, ["apply", "delete", "1", "--yes"], Failed, "not removing generation 1, which is booted");
    await refuses(booted, ["apply", "delete", "1,3", "--yes"], Failed, /not removing generation 1, which is booted.*not removing generation 3, which is current/);
  });

  it("nothing to list, describe or roll back in an empty root", async () => {
    const empty = tempRoot({ generations: [] });
    await refuses(empty, ["list"], Failed, `no generations in ${host(empty, PROFILE_DIR)}`);
    await refuses(empty, ["describe"], Failed, "no current generation");
    await refuses(empty, ["apply", "rollback", "--yes"], Failed, "there is no current generation");
  });
});

/** A refusal of the command line itself: exit 2, one line naming the command (`switchyard list: …`), root untouched. */
const refusesUsage = async (root: string, args: ReadonlyArray<string>, command: string | null, message: string): Promise<Result> => {
  const before = treeHash(root);
  const r = await run(root, ...args);
  expect(treeHash(root), `switchyard ${args.join(" ")} changed the root; stderr: ${r.stderr}`).toBe(before);
  expect(r.code, r.stderr).toBe(Invalid);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^switchyard${command === null ? "" : ` ${command}`}: `));
  expect(lines[0]).toContain(message);
  return r;
};

describe.concurrent("usage errors", () => {
  it.each([
    [["frobnicate"], null, "unknown command 'frobnicate'; see 'switchyard --help'"],
    [["list", "--frob"], "list", "unknown option '--frob'; see 'switchyard help list'"],
    [["list", "-x"], "list", "unknown option '-x'"],
    [["list", "--json=yes"], "list", "--json takes no value"],
    [["plan"], "plan", "OPERATION is missing: switch SPEC | rollback | delete [PATTERN] | snapshot save [SERVICE...] | snapshot restore ID"],
    [["apply", "--yes"], "apply", "OPERATION is missing: switch SPEC | rollback | delete [PATTERN] | snapshot save [SERVICE...] | snapshot restore ID"],
    [["apply", "fly", "--yes"], "apply", "unknown operation 'fly'"],
    [["apply", "switch", "--yes"], "apply", "switch takes one SPEC"],
    [["apply", "rollback", "2", "--yes"], "apply", "rollback takes no argument"],
    [["apply", "delete", "1", "2", "--yes"], "apply", "delete takes at most one PATTERN"],
    [["apply", "switch", "1", "--mode", "fast", "--yes"], "apply", "--mode must be one of switch, boot, test, try, not 'fast'"],
    [["apply", "switch", "1", "--yes", "--mode"], "apply", "--mode needs a value: one of switch, boot, test, try"],
    [["apply", "delete", "1", "--mode", "boot", "--yes"], "apply", "--mode does not apply to delete"],
    [["apply", "switch", "1", "--bootloader", "lilo", "--yes"], "apply", "--bootloader must be one of grub, systemd-boot, none, not 'lilo'"],
    [["apply", "switch", "1", "--services", "some", "--yes"], "apply", "--services must be one of live, conservative, not 'some'"],
    [["apply", "switch", "1", "--activation-timeout", "0", "--yes"], "apply", "--activation-timeout takes whole seconds from 1 to 86400, not '0'"],
    [["list", "1", "2"], "list", "list takes at most one PATTERN"],
    [["describe", "1", "2"], "describe", "describe takes at most one generation N"],
    [["add"], "add", "add takes one SYSTEM_DIR"],
    [["supervisor", "begin"], "supervisor", "supervisor takes one ACTION: start, stop or status"],
    [["apply", "switch", "1", "--plan", "p.json"], "apply", "give either OPERATION or --plan FILE, not both"],
    [["plan", "rollback", "--mode", "boot", "--mode", "test"], "plan", "--mode is given twice"],
  ])("switchyard %j", async (args, command, message) => {
    const root = simpleRoot(2);
    await refusesUsage(root, args, command, message);
  });

  it("a bad value in the config file is invalid input, not a usage error", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["list", "--profile", "profiles/system"], Invalid, "profile: 'profiles/system' is not an absolute path");
  });

  it("--service-manager s6 with no supervisor running", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["apply", "switch", "1", "--service-manager", "s6", "--yes"], Failed, "no s6-svscan is running");
  });

  it("no command at all", async () => {
    const root = simpleRoot(2);
    await refuses(root, [], Invalid, "missing command; see 'switchyard --help'");
  });

  it("a --root that does not exist is invalid input naming it", async () => {
    const missing = path.join(tempDir(), "no-such-root");
    const r = await runRaw(["--root", missing, "list"]);
    expectError(r, Invalid, missing);
    expect(fs.existsSync(missing)).toBe(false);
  });
});

describe.concurrent("a bad /etc/switchyard/config.json", () => {
  const withConfig = (text: string): string => {
    const root = simpleRoot(2);
    fs.mkdirSync(host(root, "/etc/switchyard"), { recursive: true });
    fs.writeFileSync(host(root, "/etc/switchyard/config.json"), text);
    return root;
  };
  const config = (root: string) => host(root, "/etc/switchyard/config.json");

  it("invalid JSON, naming the line and column", async () => {
    const root = withConfig('{\n  "timeout": 3,\n}\n');
    await refuses(root, ["apply", "switch", "1", "--yes"], Invalid, `${config(root)}:3:1: expected a property name in double quotes, found '}'; fix or remove it`);
    const cut = withConfig('{"timeout": 3,');
    await refuses(cut, ["list"], Invalid, `${config(cut)}:1:15: `);
  });

  it("an unknown key", async () => {
    const root = withConfig('{"timeuot": 3}\n');
    await refuses(root, ["list"], Invalid, `${config(root)}: timeuot: unknown field 'timeuot'`);
  });

  it("a bad timeout, naming the key as written", async () => {
    const root = withConfig('{"timeout": -1}\n');
    await refuses(root, ["apply", "switch", "1", "--yes"], Invalid, `${config(root)}: timeout: expected whole seconds from 0 to 86400`);
  });

  it("a bad bootloader, naming the key as written", async () => {
    const root = withConfig('{"bootloader": "lilo"}\n');
    await refuses(root, ["list"], Invalid, `${config(root)}: bootloader: `);
  });

  it("serviceManager s6 with no supervisor running", async () => {
    const root = withConfig('{"serviceManager": "s6"}\n');
    await refuses(root, ["apply", "switch", "1", "--yes"], Failed, "no s6-svscan is running");
  });
});

describe.concurrent("saved plans", () => {
  it("a stale plan: the profile was changed by hand between plan --out and apply --plan", async () => {
    const root = simpleRoot(2);
    const file = path.join(tempDir(), "plan.json");
    await ok(root, "plan", "switch", "1", "--out", file);
    Fixture.link(root, PROFILE, "system-3-link");
    const r = await refuses(root, ["apply", "--plan", file, "--yes"], Stale, "the plan is stale: the profile now points to system-3-link (the plan expected system-2-link)");
    expect(r.stderr).toContain("compute it again with 'switchyard plan'");
  });

  it("a stale plan: another apply switched in between", async () => {
    const root = simpleRoot(2);
    const file = path.join(tempDir(), "plan.json");
    await ok(root, "plan", "switch", "1", "--out", file);
    await ok(root, "apply", "switch", "3", "--yes");
    await refuses(root, ["apply", "--plan", file, "--yes"], Stale, "the plan is stale: the profile now points to system-3-link");
  });

  it("a stale plan: a generation was added in between", async () => {
    const root = simpleRoot(2);
    const file = path.join(tempDir(), "plan.json");
    await ok(root, "plan", "delete", "old", "--out", file);
    Fixture.link(root, linkOf(4), Fixture.makeSystem(root, { number: 4 }));
    await refuses(root, ["apply", "--plan", file, "--yes"], Stale, "the plan is stale");
  });

  it("a stale plan: grub.cfg was edited by hand", async () => {
    const root = simpleRoot(2);
    await ok(root, "apply", "switch", "2", "--yes");
    const file = path.join(tempDir(), "plan.json");
    await ok(root, "plan", "switch", "1", "--out", file);
    fs.appendFileSync(host(root, "/boot/grub/grub.cfg"), "# my edit\n");
    await refuses(root, ["apply", "--plan", file, "--yes"], Stale, "the plan is stale");
  });

  it("a plan that is not JSON", async () => {
    const root = simpleRoot(2);
    const file = path.join(tempDir(), "plan.json");
    fs.writeFileSync(file, "switch to 1 please\n");
    await refuses(root, ["apply", "--plan", file, "--yes"], Invalid, `${file}:1:1: unexpected 's'`);
  });

  it("JSON that is not a plan", async () => {
    const root = simpleRoot(2);
    const file = path.join(tempDir(), "plan.json");
    fs.writeFileSync(file, '{"generations": [1]}\n');
    await refuses(root, ["apply", "--plan", file, "--yes"], Invalid, `${file}: format: not a switchyard plan`);
    fs.writeFileSync(file, "[]\n");
    await refuses(root, ["apply", "--plan", file, "--yes"], Invalid, `${file}: format: not a switchyard plan`);
  });

  it("a plan edited to write outside the root", async () => {
    const root = simpleRoot(2);
    const file = path.join(tempDir(), "plan.json");
    await ok(root, "plan", "switch", "1", "--out", file);
    const plan = JSON.parse(fs.readFileSync(file, "utf8"));
    const step = plan.steps.find((s: { _tag: string }) => s._tag === "ReplaceSymlink");
    step.path = "/../../../../tmp/evil";
    fs.writeFileSync(file, JSON.stringify(plan));
    await refuses(root, ["apply", "--plan", file, "--yes"], Invalid, "the plan was modified after it was computed (checksum mismatch)");
    // With the checksum computed again, the path itself is refused when the plan is decoded.
    fs.writeFileSync(file, JSON.stringify({ ...plan, checksum: PlanFile.checksumOf(plan) }));
    await refuses(root, ["apply", "--plan", file, "--yes"], Invalid, "'/../../../../tmp/evil' climbs above the root");
  });

  it("a plan file that does not exist, and a plan given with an operation", async () => {
    const root = simpleRoot(2);
    const file = path.join(tempDir(), "missing.json");
    await refuses(root, ["apply", "--plan", file, "--yes"], Invalid, `cannot read plan ${file}`);
    await refusesUsage(root, ["apply", "switch", "1", "--plan", file, "--yes"], "apply", "give either OPERATION or --plan FILE, not both");
  });
});

describe.concurrent("files of the user's own (--out)", () => {
  it("plan --out into a directory that does not exist: exit 2 naming it, nothing created", async () => {
    const root = simpleRoot(2);
    const missing = path.join(tempDir(), "no-such-dir");
    const file = path.join(missing, "deeper", "p.json");
    await refuses(root, ["plan", "switch", "1", "--out", file], Invalid, `no such directory ${path.dirname(file)}`);
    expect(fs.existsSync(missing)).toBe(false);
  });

  it("plan --out under a regular file, or naming a directory", async () => {
    const root = simpleRoot(2);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "file"), "x");
    await refuses(root, ["plan", "switch", "1", "--out", path.join(dir, "file", "p.json")], Invalid, `${path.join(dir, "file")} is not a directory`);
    await refuses(root, ["plan", "switch", "1", "--out", dir], Invalid, "is a directory; give a file name");
    expect(fs.readdirSync(dir)).toEqual(["file"]);
  });
});

describe.concurrent("the lock", () => {
  it("held by a live process: exit 4 naming it; a dead holder's lock is taken over", async () => {
    const root = simpleRoot(2);
    const holder = (pid: number) => `${JSON.stringify({ pid, command: "apply switch 3", startedAt: "2024-05-01T10:00:00.000Z" })}\n`;
    fs.writeFileSync(host(root, LOCK), holder(process.pid));
    await refuses(root, ["apply", "switch", "1", "--yes"], Locked, `${host(root, LOCK)}: pid ${process.pid} ('switchyard apply switch 3', started 2024-05-01T10:00:00.000Z)`);
    await refuses(root, ["add", systemOf(1)], Locked, `pid ${process.pid}`);
    // Reading needs no lock.
    await ok(root, "plan", "switch", "1");

    fs.writeFileSync(host(root, LOCK), holder(2147483646));
    await ok(root, "apply", "switch", "1", "--yes");
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(exists(root, LOCK)).toBe(false);
    expect(fs.readdirSync(host(root, "/var/lib/switchyard")).filter((n) => n.startsWith("lock"))).toEqual([]);
  });
});

describe.concurrent("add", () => {
  it("a regular file", async () => {
    const root = simpleRoot(2);
    fs.writeFileSync(host(root, "/notes.txt"), "hello\n");
    await refuses(root, ["add", "/notes.txt"], Invalid, `${host(root, "/notes.txt")} is not a directory`);
  });

  it("a path that does not exist", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["add", "/store/nothing-here"], Invalid, `${host(root, "/store/nothing-here")} is not a directory`);
  });

  it("a host path given instead of an in-root one", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["add", host(root, systemOf(1))], Invalid, `(paths are inside --root; did you mean ${systemOf(1)}?)`);
  });

  it("a relative path outside the root", async () => {
    const root = simpleRoot(2);
    await refuses(root, ["add", path.relative(REPO, "/")], Invalid, "not a path inside the root");
  });

  it("a directory with an invalid manifest: each problem on its own line, with its line and column", async () => {
    const root = simpleRoot(2);
    const before = treeHash(root);
    const system = Fixture.makeSystem(root, { number: 20, manifest: manifest({ boot: { kernel: "../vmlinuz" } }) });
    const r = await run(root, "add", system);
    expect([r.code, r.stderr]).toEqual([
      Invalid,
      `switchyard: cannot add ${system}: its manifest has a problem; fix it and try again\n  ${host(root, system)}/manifest.json:5:5: boot.kernel: '../vmlinuz' leaves the system directory; use a path inside it or an absolute one\n`,
    ]);
    const broken = Fixture.makeSystem(root, { number: 21, manifest: "{" });
    const b = await run(root, "add", broken);
    expect(b.code).toBe(Invalid);
    expect(b.stderr).toContain(`\n  ${host(root, broken)}/manifest.json:1:2: expected a property name in double quotes, found the end of the text\n`);
    expect(generationNumbers(root)).toEqual([1, 2, 3]);
    fs.rmSync(host(root, system), { recursive: true });
    fs.rmSync(host(root, broken), { recursive: true });
    expect(treeHash(root)).toBe(before);
  });

  it("a directory without a manifest", async () => {
    const root = simpleRoot(2);
    fs.mkdirSync(host(root, "/store/empty"));
    await refuses(root, ["add", "/store/empty"], Invalid, `${host(root, "/store/empty")}/manifest.json: (file): missing, and no boot.json or parameters either; this is not a system directory`);
    expect(generationNumbers(root)).toEqual([1, 2, 3]);
  });
});

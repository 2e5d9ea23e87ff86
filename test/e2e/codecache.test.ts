/**
 * The built binary loads its bundles with V8's code cache (packages/cli/bin/load.js): the
 * caches the build made are used, and a corrupt or stale one is rejected without harm (the bundle
 * is compiled from source and the command gives the same output).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, Fixture, REPO, tempDir } from "./support.js";

const LOAD = path.join(path.dirname(BIN), "load.js");

/** Run the binary from `dist` with `args`; what it printed, and which caches it used. */
const run = (dist: string, args: ReadonlyArray<string>) => {
  const script = `const l = require(${JSON.stringify(LOAD)});
process.argv = [process.argv[0], "switchyard", ...${JSON.stringify(args)}];
process.on("exit", () => process.stderr.write("CACHES " + JSON.stringify(l.inspect()) + "\\n"));
l.start({ dist: ${JSON.stringify(dist)} });`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  const caches = /^CACHES (.*)$/m.exec(r.stderr)?.[1];
  return { status: r.status, stdout: r.stdout, caches: caches === undefined ? null : (JSON.parse(caches) as Record<string, boolean | null>) };
};

const copyDist = (): string => {
  const dist = path.join(tempDir(), "dist");
  fs.cpSync(path.join(REPO, "packages/cli/dist"), dist, { recursive: true });
  return dist;
};

const cacheOf = (dist: string, name: string): string => {
  const found = fs.readdirSync(dist).find((f) => f.startsWith(`${name}.`) && f.endsWith(".cache"));
  if (found === undefined) throw new Error(`no cache for ${name} in ${dist}`);
  return path.join(dist, found);
};

describe("the code cache", () => {
  const root = path.join(tempDir(), "root");
  Fixture.makeRoot(root, { generations: [{ number: 1 }, { number: 2 }], current: 2, running: 2, booted: 2 });
  const list = ["--root", root, "list"];
  const reference = run(path.join(REPO, "packages/cli/dist"), list);

  it("is used for every bundle as built", () => {
    expect(reference.status).toBe(0);
    expect(reference.stdout).toMatch(/^ +2 .*current, running, booted$/m);
    expect(reference.caches, "the read-only commands load the read bundle only").toEqual({ switchyard: true, read: true });
    expect(run(path.join(REPO, "packages/cli/dist"), ["--root", root, "plan", "rollback"]).caches).toEqual({ switchyard: true, launch: true });
    expect(run(path.join(REPO, "packages/cli/dist"), ["--version"]).caches, "--version loads the entry bundle only").toEqual({ switchyard: true });
  });

  it("a corrupt cache is rejected and the command still gives the same output", () => {
    const dist = copyDist();
    const file = cacheOf(dist, "read");
    const bytes = fs.readFileSync(file);
    for (const at of [64, bytes.length >> 1, bytes.length - 16]) bytes[at] = (bytes[at] as number) ^ 0x5a;
    fs.writeFileSync(file, bytes);
    const r = run(dist, list);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(reference.stdout);
    expect(r.caches).toEqual({ switchyard: true, read: false });
  });

  it("a truncated or empty cache is rejected likewise, and a missing one is not looked for", () => {
    const dist = copyDist();
    const file = cacheOf(dist, "read");
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
    expect(run(dist, list)).toMatchObject({ status: 0, stdout: reference.stdout, caches: { switchyard: true, read: false } });
    fs.writeFileSync(file, "");
    expect(run(dist, list)).toMatchObject({ status: 0, stdout: reference.stdout, caches: { switchyard: true, read: false } });
    fs.rmSync(file);
    expect(run(dist, list)).toMatchObject({ status: 0, stdout: reference.stdout, caches: { switchyard: true, read: null } });
  });

  it("a cache made for another bundle is not used for this one", () => {
    const dist = copyDist();
    // Another build's cache under this bundle's name: made from different source, so V8 refuses it.
    const read = cacheOf(dist, "read");
    fs.copyFileSync(cacheOf(dist, "switchyard"), read);
    expect(run(dist, list)).toMatchObject({ status: 0, stdout: reference.stdout, caches: { switchyard: true, read: false } });
    // A rebuilt bundle names another digest, so it never meets the old cache at all.
    const source = fs.readFileSync(path.join(dist, "read.cjs"), "utf8");
    fs.writeFileSync(path.join(dist, "read.cjs"), source.replace(/\/\/ switchyard bundle [0-9a-f]+\n$/, "// switchyard bundle 0123456789abcdef0123456789abcdef\n"));
    expect(run(dist, list)).toMatchObject({ status: 0, stdout: reference.stdout, caches: { switchyard: true, read: null } });
  });

  it("a stack trace names the bundle where it is, not where the build warmed its cache", () => {
    const dist = path.join(REPO, "packages/cli/dist");
    // The read bundle refuses a command of the launch bundle with an internal error: its stack is what --debug prints.
    const script = `const l = require(${JSON.stringify(LOAD)});
l.load(${JSON.stringify(dist)}, "read").launch({ command: "plan" }).catch((e) => {
  process.stdout.write(JSON.stringify({ stack: e.stack, caches: l.inspect() }));
});`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    const out = JSON.parse(r.stdout) as { stack: string; caches: Record<string, boolean | null> };
    expect(out.caches).toEqual({ read: true });
    expect(out.stack).toContain(`(${path.join(dist, "read.cjs")}:`);
  });
});

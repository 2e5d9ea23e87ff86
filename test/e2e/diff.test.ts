/**
 * `switchyard diff`, on the built binary: the boot entry, the activation script and every service
 * that differs between two generations, with the fields and what a switch would do, as text and
 * as JSON; bad generations are refused with one line.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Fixture, cleanUp, expectError, ok, run, systemOf, tempRoot, treeHash } from "./support.js";

afterAll(cleanUp);

// Plain ASCII and no colours, whatever the environment running the tests (each test file has its own process).
for (const name of ["LC_ALL", "LC_CTYPE", "FORCE_COLOR"]) delete process.env[name];
process.env.LANG = "C";

const svc = (name: string, extra: Record<string, unknown> = {}) => ({ name, start: ["/bin/sleep", "infinity"], ...extra });

describe.concurrent("switchyard diff", () => {
  const root = tempRoot({
    generations: [
      ...Fixture.demoGenerations(),
      {
        number: 4,
        label: "Example OS 25.05",
        params: ["quiet", "debug"],
        services: [svc("db", { env: { DB_CACHE: "256M" } }), svc("web", { requires: ["db"], reload: ["/bin/true"], reloadIfChanged: true, env: { X: "1" } }), svc("cache", { stopIfChanged: false, env: { C: "1" } }), svc("pinned", { restartIfChanged: false })],
      },
    ],
    current: 3,
    running: 3,
    booted: 3,
  });

  it("between the demo's generations 2 and 3: the boot entry, a changed database and the web front end that follows it", async () => {
    const r = await ok(root, "diff", "2", "3");
    expect(r.stdout).toBe(
      [
        "Generation 2 -> 3",
        `  A  generation 2  Example OS 24.11 (Linux 6.8.9)  ${systemOf(2)}`,
        `  B  generation 3  Example OS 24.11 (Linux 6.8.12)  ${systemOf(3)}`,
        "Label:",
        "  ~   Example OS 24.11 (Linux 6.8.9) -> Example OS 24.11 (Linux 6.8.12)",
        "Boot entry:",
        "  ~   kernel  A/kernel -> B/kernel",
        "  ~   initrd  A/initrd -> B/initrd",
        "Activation script:",
        "  ~   A/activate -> B/activate",
        "Services:",
        "  +   cache  added: a switch starts it",
        "  -/+ db     changed: env -> stop, then start",
        "  -/+ web    requires db, which stops -> stop, then start",
        "",
        "services: 1 added, 2 changed; boot entry changed; activation script changed.",
        "",
      ].join("\n"),
    );
  });

  it("one generation compares the current one with it; parameters, reload, restart in place and old code", async () => {
    const r = await ok(root, "diff", "4");
    expect(r.stdout).toMatch(/^Generation 3 -> 4\n/);
    expect(r.stdout).toContain("  ~   params  quiet -> quiet debug\n      + debug\n");
    expect(r.stdout).toContain("  ~   cache   changed: env -> restart in place (stopIfChanged is false)\n");
    expect(r.stdout).toContain("  *   web     changed: env -> reload\n");
    expect(r.stdout).toContain("  +   pinned  added: a switch starts it\n");
    expect(r.stdout).toContain("      1 unchanged\n");
  });

  it("--json is the model's diff", async () => {
    const doc = JSON.parse((await ok(root, "diff", "2", "3", "--json")).stdout);
    expect(doc).toMatchObject({
      from: { number: 2, system: systemOf(2) },
      to: { number: 3, system: systemOf(3) },
      boot: { kernel: { from: `${systemOf(2)}/kernel`, to: `${systemOf(3)}/kernel` }, params: null },
      services: {
        added: ["cache"],
        removed: [],
        changed: [
          { name: "db", fields: ["env"], decision: "stop-start", follows: null },
          { name: "web", fields: [], decision: "stop-start", follows: "db" },
        ],
        unchanged: [],
      },
    });
    const back = JSON.parse((await ok(root, "diff", "3", "1", "--json")).stdout);
    expect(back.services.removed).toEqual([
      { name: "cache", stops: true },
      { name: "web", stops: true },
    ]);
  });

  it("changes nothing, and refuses what it cannot compare with one line", async () => {
    const before = treeHash(root);
    await ok(root, "diff", "1", "4");
    expect(treeHash(root)).toBe(before);
    expectError(await run(root, "diff", "2", "9"), 2, "generation 9 does not exist; see 'switchyard list'");
    const usage = await run(root, "diff", "1", "2", "3");
    expect([usage.code, usage.stderr]).toEqual([2, "switchyard diff: diff takes one or two generations: [A] B; see 'switchyard help diff'\n"]);
    const broken = tempRoot({ generations: [{ number: 1 }, { number: 2, manifest: "{" }], current: 1 });
    expectError(await run(broken, "diff", "1", "2"), 2, "generation 2 cannot be compared:");
  });
});

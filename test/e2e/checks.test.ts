/**
 * Checks end to end on the built binary: a generation declares a check program that reports an
 * error item; `apply` refuses (exit 6) naming the item and the `choose` command, and changes
 * nothing on the machine; `choose` records a resolution durably; then the same apply goes ahead and
 * runs the chosen resolution's migration.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasPython, onTerminal } from "./pty-support.js";
import { cleanUp, expectError, linkOf, PROFILE, readLink, readText, run, systemOf, tempRoot, treeHash } from "./support.js";

const Unresolved = 6;
const CHOICES = "/var/lib/switchyard/choices.json";
// A refused apply records the pending items (and stamps a fresh state directory's layout); nothing else changes.
const BOOKKEEPING = [CHOICES, "/var/lib/switchyard/layout.v1", "/check-env"];

const REPORT = {
  items: [
    {
      id: "db-schema",
      severity: "error",
      message: "the data is at schema 2; generation 2 reads schema 3",
      resolutions: [
        { id: "migrate", description: "migrate the data to schema 3", migrations: [{ id: "db-v3", run: ["bin/migrate"] }] },
        { id: "accept", description: "start from an empty database" },
      ],
    },
    { id: "disk", severity: "warning", message: "the disk is 91% full" },
  ],
};

const rootWithCheck = (): string => {
  const manifest = {
    schema: 1,
    label: "Example OS 2",
    boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] },
    activate: "activate",
    checks: [{ name: "db-schema", run: ["bin/check-db"] }],
  };
  const root = tempRoot({ generations: [{ number: 1 }, { number: 2, manifest }], current: 1 });
  const bin = path.join(root, systemOf(2), "bin");
  fs.mkdirSync(bin, { recursive: true });
  // It says what it was told (on standard error, which is not its report) and where it ran.
  fs.writeFileSync(
    path.join(bin, "check-db"),
    `#!/bin/sh\necho "told $SWITCHYARD_FROM $SWITCHYARD_TO $SWITCHYARD_DIRECTION in $(pwd)" >&2\necho "$SWITCHYARD_DIRECTION $SWITCHYARD_FROM_SYSTEM $SWITCHYARD_TO_SYSTEM" > "$SWITCHYARD_ROOT/check-env"\ncat <<'EOF'\n${JSON.stringify(REPORT, null, 2)}\nEOF\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, "migrate"), `#!/bin/sh\necho "$SWITCHYARD_MIGRATION $SWITCHYARD_FROM $SWITCHYARD_TO" > "$SWITCHYARD_ROOT/migrated"\n`, { mode: 0o755 });
  return root;
};

afterAll(cleanUp);

describe("an error item blocks apply until a resolution is chosen", () => {
  it("refused with exit 6 and nothing changed; choose; then the apply goes ahead", { timeout: 60_000 }, async () => {
    const root = rootWithCheck();
    const before = treeHash(root, { exclude: BOOKKEEPING });

    const refused = await run(root, "apply", "switch", "2", "--yes");
    expectError(refused, Unresolved, "error item 'db-schema' has no chosen resolution (the data is at schema 2; generation 2 reads schema 3); choose one of migrate, accept with 'switchyard choose db-schema RESOLUTION', then apply again; nothing was applied");
    expect(refused.stdout).toContain("checks: 1 error, 1 warning");
    expect(refused.stdout).toContain("warning disk: the disk is 91% full");
    expect(treeHash(root, { exclude: BOOKKEEPING })).toBe(before);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
    expect(readText(root, "/check-env")).toBe(`upgrade ${systemOf(1)} ${systemOf(2)}\n`);

    // check says the same, as JSON, with the same exit code; choices lists what is pending.
    const checked = await run(root, "check", "switch", "2", "--json");
    expect(checked.code, checked.stderr).toBe(Unresolved);
    expect(JSON.parse(checked.stdout)).toMatchObject({ from: 1, to: 2, items: [{ id: "db-schema" }, { id: "disk" }], unresolved: ["db-schema"], choices: [] });
    const pending = await run(root, "choices");
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toContain("  to settle it: switchyard choose db-schema RESOLUTION\n");

    // The refusal left the items pending; an unknown resolution is refused and records nothing.
    expectError(await run(root, "choose", "db-schema", "migrat"), 2, "item 'db-schema' has no resolution 'migrat'; choose one of: migrate, accept");
    const chose = await run(root, "choose", "db-schema", "accept", "--json");
    expect(chose.code, chose.stderr).toBe(0);
    expect(JSON.parse(chose.stdout)).toMatchObject({ chosen: { item: "db-schema", resolution: "accept" }, transition: { from: 1, to: 2 }, unresolved: [], migrations: [] });

    // A later choice replaces it; the apply runs the chosen resolution's migration after the switch.
    expect((await run(root, "choose", "db-schema", "migrate")).code).toBe(0);
    expect(JSON.parse(readText(root, CHOICES) ?? "{}")).toMatchObject({ version: 1, choices: [{ item: "db-schema", resolution: "migrate" }] });
    const applied = await run(root, "apply", "switch", "2", "--yes");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("* migrate: migrate the data to schema 3 (runs db-v3) [chosen]");
    expect(applied.stdout).toContain("all 1 migration(s) done");
    expect(readText(root, "/migrated")).toBe("db-v3 1 2\n");
    expect(readLink(root, PROFILE)).toBe("system-2-link");
    expect(readLink(root, linkOf(2))).toBe(systemOf(2));
  });
});

describe("on a terminal, apply offers the resolutions", () => {
  it.skipIf(!hasPython)("an answer out of range is asked again; the answer is recorded and the apply goes ahead with it", { timeout: 60_000 }, async () => {
    const root = rootWithCheck();
    const r = await onTerminal(root, [["empty: leave it]: ", "9\r"], ["or nothing to leave it", "2\r"], ["[y/N]", "y\r"]], "apply", "switch", "2");
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("answer a number from 1 to 2, or nothing to leave it");
    expect(r.output).toContain("  1. migrate: migrate the data to schema 3");
    expect(r.output).toContain("* accept: start from an empty database [chosen]");
    expect(readLink(root, PROFILE)).toBe("system-2-link");
    expect(JSON.parse(readText(root, CHOICES) ?? "{}")).toMatchObject({ choices: [{ item: "db-schema", resolution: "accept" }] });
  });
});

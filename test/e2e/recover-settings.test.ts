/**
 * `recover` carries out the interrupted apply's own plan, so it runs with the settings that plan was
 * made with — not with today's config file or flags — and a flag that contradicts them is refused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execIn, show } from "./faults-support.js";
import { cleanUp, run, tempRoot, treeHash } from "./support.js";

const roots: Array<string> = [];
afterAll(() => {
  cleanUp();
  for (const dir of roots) fs.rmSync(dir, { recursive: true, force: true });
});

const svc = (name: string, version: string) => ({ name, start: ["/bin/sleep", "infinity"], env: { VERSION: version } });

/**
 * A root where `apply switch 1 --bootloader none` (no service manager: service steps are recorded)
 * was killed right after its journal was written.
 */
const interrupted = async (): Promise<string> => {
  const root = tempRoot({
    generations: [{ number: 1, services: [svc("db", "1")] }, { number: 2 }, { number: 3, services: [svc("db", "3")] }],
    current: 3,
    running: 3,
    booted: 3,
  });
  const args = ["apply", "switch", "1", "--bootloader", "none", "--yes"];
  const count = await execIn(simpleCopy(root), args, { env: { SWITCHYARD_FAILPOINT: "count" } });
  const labels = count.stderr.split("\n").flatMap((l) => (l.startsWith("failpoint ") ? [l.split(" ")[2]] : []));
  const begun = labels.indexOf("journal:begun") + 1;
  expect(begun, show(count)).toBeGreaterThan(0);
  const r = await execIn(root, args, { env: { SWITCHYARD_FAILPOINT: String(begun) } });
  expect(r.signal, show(r)).toBe("SIGKILL");
  expect(fs.existsSync(path.join(root, "var/lib/switchyard/journal/plan.json"))).toBe(true);
  return root;
};

const simpleCopy = (root: string): string => {
  const copy = `${root}-count`;
  fs.cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
  roots.push(copy);
  return copy;
};

describe("recover runs with the interrupted plan's settings", () => {
  it("a flag that contradicts them is a usage error, and nothing changes", async () => {
    const root = await interrupted();
    const before = treeHash(root);
    const r = await run(root, "recover", "--bootloader", "grub");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("--bootloader grub contradicts the plan, which runs with --bootloader none");
    expect(treeHash(root)).toBe(before);
  });

  it("without flags it reverts with them, even when today's config names another service manager", async () => {
    const root = await interrupted();
    fs.mkdirSync(path.join(root, "etc/switchyard"), { recursive: true });
    // Today's config says s6 (and no supervisor runs); the interrupted plan drove no service manager.
    fs.writeFileSync(path.join(root, "etc/switchyard/config.json"), `${JSON.stringify({ serviceManager: "s6" })}\n`);
    const r = await run(root, "recover", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: "reverted", from: 3, to: 1 });
    expect(fs.existsSync(path.join(root, "var/lib/switchyard/journal"))).toBe(false);
  });
});

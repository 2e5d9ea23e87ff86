/**
 * A directory-state service under a real s6 tree, end to end: generation 2 migrates the data
 * (epoch 2*), a post is written after the upgrade, the rollback's plan says that post will be
 * replaced (kept in a snapshot), the rollback restores generation 1's data byte for byte, and
 * switching to 2 again keeps it (2* reads 1). The same switch with no snapshot to restore is
 * refused with exit 10 (and `check` reports it as an item naming the way out); `--stepped` goes through the generation that migrates the data; and
 * `snapshot save` / `snapshot restore` are plans like any other.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasS6, ok, supervisedRoots, sy } from "./s6-support.js";
import { type GenerationSpec, run } from "./support.js";

const roots = supervisedRoots();
afterAll(roots.stopAll);

const blog = (epoch: string) => ({ name: "blog", start: ["/bin/sleep", "1000"], env: { EPOCH: epoch }, state: { paths: ["/var/lib/blog"], epoch } });
const generations: ReadonlyArray<GenerationSpec> = [
  { number: 1, services: [blog("1")] },
  { number: 2, services: [blog("2*")] },
];
const post = (root: string) => path.join(root, "var/lib/blog/post");

describe.skipIf(!hasS6)("state that rolls back", () => {
  it("rollback restores generation 1's data, saying what it replaces; switching forward again keeps it", { timeout: 120_000 }, async () => {
    const root = await roots.make(generations, (r, n) => {
      if (n === 1) fs.mkdirSync(path.join(r, "var/lib/blog"), { recursive: true });
    });
    fs.writeFileSync(post(root), "written by generation 1\n");

    const up = await ok(root, "apply", "switch", "2", "--yes");
    expect(up.stdout).toMatch(/blog: snapshot \S+-g1-blog taken before it stops; data in epoch 1 \(generation 1\) kept; the target reads epoch 2\*/);
    fs.writeFileSync(post(root), "written after the upgrade\n");

    // Saved and carried out later: computed again under the lock, it names the same snapshots.
    const preview = await ok(root, "plan", "rollback", "--out", path.join(root, "rollback.json"));
    expect(preview.stdout).toMatch(/blog: restores snapshot \S+-g1-blog \(taken .* UTC, generation 1\); changes since then are replaced — kept as snapshot \S+-g2-blog/);
    expect(preview.stdout).toContain("snapshots are stored unencrypted");

    await ok(root, "apply", "--plan", path.join(root, "rollback.json"), "--yes");
    expect(fs.readFileSync(post(root), "utf8")).toBe("written by generation 1\n");
    // Nothing moved aside is left next to the data.
    expect(fs.readdirSync(path.join(root, "var/lib")).filter((n) => n.startsWith("blog"))).toEqual(["blog"]);

    const again = await ok(root, "plan", "switch", "2");
    expect(again.stdout).toMatch(/blog: snapshot \S+ taken before it stops; data in epoch 1 \(generation 1\) kept/);
  });

  it("refuses with exit 10 when the target cannot read the data and no snapshot can help", { timeout: 120_000 }, async () => {
    const root = await roots.make([{ number: 1, services: [blog("2")] }, { number: 2, services: [blog("1")] }], () => undefined);
    const r = await sy(root, "plan", "switch", "2");
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({
      code: 10,
      stderr: "switchyard: blog: generation 2 reads epochs 1, but blog's data is in epoch 2, written by generation 1, and no snapshot of blog it can read exists; no generation can migrate it there: switch to one that reads epoch 2",
    });
    // The plan shows the data-epoch item above the refusal.
    expect(r.stdout).toContain("error state:blog: generation 2 reads epochs 1 of blog's data, but it is in epoch 2, written by generation 1; no snapshot or generation helps: switch to one that reads epoch 2\n  no way out is offered");
  });

  it("--stepped goes 1 → 2 → 3 when only 2 can migrate the data; describe --json shows the epochs; snapshot save and restore are plans", { timeout: 120_000 }, async () => {
    const root = await roots.make(
      [
        { number: 1, services: [blog("0")] },
        { number: 2, services: [blog("1*")] },
        { number: 3, services: [blog("2*")] },
      ],
      (r, n) => {
        if (n === 1) fs.mkdirSync(path.join(r, "var/lib/blog"), { recursive: true });
      },
    );
    const direct = await sy(root, "apply", "switch", "3", "--yes");
    expect(direct.code).toBe(10);
    expect(direct.stderr).toContain("generations 1 (epoch 0) → 2 (1*) → 3 (2*) can migrate it step by step");
    // check says the same as an item, whose resolution names the command of the way out.
    const checked = await sy(root, "check", "switch", "3", "--json");
    expect(checked.code).toBe(10);
    expect(JSON.parse(checked.stdout)).toMatchObject({
      to: 3,
      items: [{ id: "state:blog", severity: "error", resolutions: [{ id: "stepped", description: expect.stringContaining("1 (epoch 0) → 2 (1*) → 3 (2*): run 'switchyard apply switch 3 --stepped'") }] }],
    });
    const stepped = await ok(root, "apply", "switch", "3", "--stepped", "--yes");
    expect(stepped.stdout).toContain("switched from generation 1 to 2");
    expect(stepped.stdout).toContain("switched from generation 2 to 3");
    const doc = JSON.parse((await run(root, "describe", "--json")).stdout) as { state: ReadonlyArray<unknown> };
    expect(doc.state).toEqual([{ service: "blog", epoch: { read: [1, 2], write: [2] }, data: expect.objectContaining({ epoch: { read: [1, 2], write: [2] }, generation: 3 }) }]);

    fs.writeFileSync(post(root), "kept\n");
    const saved = await ok(root, "snapshot", "save", "--yes");
    const id = /saved snapshot (\S+)/.exec(saved.stdout)?.[1] as string;
    expect(id).toMatch(/-g3-blog$/);
    fs.writeFileSync(post(root), "changed\n");
    const preview = await ok(root, "plan", "snapshot", "restore", id);
    expect(preview.stdout).toContain(`blog: restores snapshot ${id}`);
    await ok(root, "snapshot", "restore", id, "--yes");
    expect(fs.readFileSync(post(root), "utf8")).toBe("kept\n");
  });
});

/**
 * `switchyard snapshot list|check|forget` on a root whose store holds a snapshot in clear and an
 * encrypted one (made with the real tar, zstd and age): what list says, a wrong identity (exit 9),
 * a tampered member (exit 8, nothing changed), forgetting, and the note `list` adds.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { NodeFileSystemLive, NodeProcessRunnerLive, Root, Snapshots } from "@switchyard/interpreter";
import { GenerationNumber, SnapshotId } from "@switchyard/model";
import { Effect, Layer } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { hasS6, supervisedRoots, sy } from "./s6-support.js";
import { expectError, Fixture, ok, run, simpleRoot, tempDir, treeHash } from "./support.js";

const tools = ["tar", "zstd", "age", "age-keygen"].filter((t) => {
  try {
    execFileSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
});
if (tools.length > 0) console.log(`snapshot command tests skipped: ${tools.join(", ")} not installed`);

const save = (root: string, id: SnapshotId.SnapshotId, recipients: ReadonlyArray<string>) =>
  Effect.runPromise(
    Snapshots.Save.save(Root.make(root), {
      id,
      service: "db",
      generation: GenerationNumber.unsafe(1),
      revision: "r1",
      epoch: { read: [1], write: [1] },
      takenMs: Date.UTC(2026, 11, 1, 12),
      reason: "before-switch",
      paths: ["/var/lib/db"],
      dump: null,
      compression: "zstd",
      recipients,
    }).pipe(Effect.provide(Layer.mergeAll(NodeFileSystemLive, NodeProcessRunnerLive))),
  );

const blog = (epoch: string) => ({ name: "blog", start: ["/bin/sleep", "1000"], state: { paths: ["/var/lib/blog"], epoch, restore: "on-rollback" } });
const supervised = supervisedRoots();
afterAll(supervised.stopAll);

describe.skipIf(tools.length > 0)("snapshot list, check and forget", () => {
  it("lists, refuses a wrong identity and a tampered member, forgets, and list notes what is in clear", async () => {
    const root = simpleRoot(2);
    fs.mkdirSync(path.join(root, "var/lib/db"), { recursive: true });
    fs.writeFileSync(path.join(root, "var/lib/db/rows"), "1 2 3\n");
    const key = path.join(root, "key.txt");
    const wrong = path.join(root, "wrong.txt");
    execFileSync("age-keygen", ["-o", key], { stdio: "ignore" });
    execFileSync("age-keygen", ["-o", wrong], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", key]).toString().trim();
    const clear = SnapshotId.of("db", 1, Date.UTC(2026, 11, 1, 12));
    const sealed = SnapshotId.of("db", 1, Date.UTC(2026, 11, 1, 13));
    await save(root, clear, []);
    await save(root, sealed, [recipient]);

    const listed = await ok(root, "snapshot", "list");
    expect(listed.stdout).toContain(`${clear}  db  generation 1  epoch 1  2026-12-01 12:00 UTC  before-switch`);
    expect(listed.stdout).toMatch(new RegExp(`${sealed.replace(/\./g, "\\.")} .* encrypted  \\(/var/lib/db\\)`));
    expect(listed.stdout).toContain("1 snapshot is stored in clear; set snapshots.recipients in the config to encrypt new ones with age");

    expectError(await run(root, "snapshot", "check", sealed, "--identity", wrong), 9, `snapshot ${sealed} cannot be decrypted with ${wrong}`);
    const member = path.join(root, `var/lib/switchyard/snapshots/${clear}/path-0.tar.zst`);
    fs.appendFileSync(member, "x");
    const before = treeHash(root);
    expectError(await run(root, "snapshot", "check", clear), 8, `snapshot ${clear} is damaged: its member path-0.tar.zst has`);
    expect(treeHash(root)).toBe(before);
    const generations = await ok(root, "list");
    expect(generations.stdout).toContain("note: 1 snapshot of a service's data is stored in clear ('switchyard snapshot list')");
    await ok(root, "snapshot", "forget", clear);
    expect(fs.readdirSync(path.join(root, "var/lib/switchyard/snapshots"))).toEqual([sealed]);
  }, 30_000);

  it("with no service manager the state steps are only recorded, said in the line of the service steps", async () => {
    const root = path.join(tempDir(), "unmanaged");
    Fixture.makeRoot(root, { generations: [{ number: 1, services: [blog("1")] }, { number: 2, services: [blog("2*")] }], current: 1, running: 1, booted: 1 });
    fs.mkdirSync(path.join(root, "var/lib/blog"), { recursive: true });
    const up = await ok(root, "apply", "switch", "2", "--yes");
    expect(up.stdout).toMatch(/^2 service steps and 2 state steps recorded, not executed: there is no service manager \(--service-manager none\)$/m);
    expect(fs.existsSync(path.join(root, "var/lib/switchyard/snapshots"))).toBe(false);
  }, 30_000);

  it.skipIf(!hasS6)("a rollback that restores an encrypted snapshot needs the identity: exit 9 and reverted without it, restored with --identity", async () => {
    const key = path.join(tempDir(), "key.txt");
    execFileSync("age-keygen", ["-o", key], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", key]).toString().trim();
    const root = await supervised.make([{ number: 1, services: [blog("1")] }, { number: 2, services: [blog("2*")] }], (r, n) => {
      if (n !== 1) return;
      fs.mkdirSync(path.join(r, "etc/switchyard"), { recursive: true });
      fs.writeFileSync(path.join(r, "etc/switchyard/config.json"), JSON.stringify({ snapshots: { recipients: [recipient] } }));
      fs.mkdirSync(path.join(r, "var/lib/blog"), { recursive: true });
    });
    const post = path.join(root, "var/lib/blog/post");
    fs.writeFileSync(post, "generation 1's post\n");
    const up = await sy(root, "apply", "switch", "2", "--yes");
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("snapshots are encrypted with age to 1 recipient");
    fs.writeFileSync(post, "generation 2's post\n");
    const refused = await sy(root, "apply", "rollback", "--yes");
    expect(refused.code, refused.stderr).toBe(9);
    expect(refused.stderr).toMatch(/is encrypted: give the age identity that opens it with --identity FILE/);
    expect(fs.readFileSync(post, "utf8")).toBe("generation 2's post\n");
    expect((await sy(root, "apply", "rollback", "--yes", "--identity", key)).code).toBe(0);
    expect(fs.readFileSync(post, "utf8")).toBe("generation 1's post\n");
  }, 60_000);
});

/**
 * The snapshot store on a real directory with the real tar, zstd, gzip and age: save, list, open,
 * check and forget; a tampered member, another service's snapshot, a missing or wrong identity are
 * each refused with their own reason and leave everything as it was.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodeFileSystemLive, NodeProcessRunnerLive, Root, Snapshots } from "@switchyard/interpreter";
import { GenerationNumber, SnapshotId, type SnapshotMeta } from "@switchyard/model";
import { Effect, Either, Layer } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const layer = Layer.mergeAll(NodeFileSystemLive, NodeProcessRunnerLive);
const run = <A, E>(effect: Effect.Effect<A, E, never>) => Effect.runPromise(Effect.either(effect));
const provide = <A, E, R>(e: Effect.Effect<A, E, R>) => e.pipe(Effect.provide(layer)) as Effect.Effect<A, E, never>;
const has = (tool: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const missing = ["tar", "zstd", "age", "age-keygen"].filter((t) => !has(t));
if (missing.length > 0) console.log(`snapshot store tests skipped: ${missing.join(", ")} not installed`);

let dir: string;
let root: Root.Root;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-snapshots-"));
  root = Root.make(dir);
  fs.mkdirSync(path.join(dir, "var/lib/blog/files/sub"), { recursive: true });
  fs.writeFileSync(path.join(dir, "var/lib/blog/files/a.txt"), "first post\n");
  fs.writeFileSync(path.join(dir, "var/lib/blog/files/sub/b.bin"), Buffer.from([0, 1, 2, 255]), { mode: 0o640 });
  fs.symlinkSync("a.txt", path.join(dir, "var/lib/blog/files/link"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const S1 = SnapshotId.of("blog", 1, Date.UTC(2026, 11, 1, 12));
const S2 = SnapshotId.of("blog", 1, Date.UTC(2026, 11, 1, 13));

const request = (id: SnapshotId.SnapshotId, over: Partial<Snapshots.Save.SaveRequest> = {}): Snapshots.Save.SaveRequest => ({
  id,
  service: "blog",
  generation: GenerationNumber.unsafe(1),
  revision: "r1",
  epoch: { read: [1], write: [1] },
  takenMs: Date.UTC(2026, 11, 1, 12),
  reason: "before-switch",
  paths: ["/var/lib/blog/files", "/var/lib/blog/none-yet"],
  dump: null,
  compression: "zstd",
  recipients: [],
  ...over,
});

const tree = (d: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(d, rel)).sort()) {
      const r = `${rel}/${name}`;
      const st = fs.lstatSync(path.join(d, r));
      out[r] = st.isSymbolicLink()
        ? `link ${fs.readlinkSync(path.join(d, r))}`
        : st.isDirectory()
          ? `dir ${(st.mode & 0o7777).toString(8)}`
          : `file ${(st.mode & 0o7777).toString(8)} ${fs.readFileSync(path.join(d, r)).toString("hex")}`;
      if (st.isDirectory()) walk(r);
    }
  };
  walk("");
  return out;
};

const reasonOf = (r: Either.Either<unknown, unknown>) => (Either.isLeft(r) ? (r.left as Snapshots.SnapshotError).reason : "ok");

describe.skipIf(missing.length > 0)("the snapshot store with tar, zstd and age", () => {
  it("saves in clear, lists, checks, opens byte for byte, refuses tampering and another service, and forgets", async () => {
    const saved = await run(provide(Snapshots.Save.save(root, request(S1))));
    expect(Either.isRight(saved)).toBe(true);
    const meta = (saved as Either.Right<never, SnapshotMeta.Meta>).right;
    expect(meta.members.map((m) => m.name)).toEqual(["path-0.tar.zst", "path-1.tar.zst"]);
    expect(fs.readdirSync(path.join(dir, "var/lib/switchyard/snapshots"))).toEqual([S1]);
    // A service's data, often a database in clear: the snapshot is root's alone whatever the umask.
    expect(fs.statSync(path.join(dir, `var/lib/switchyard/snapshots/${S1}`)).mode & 0o777).toBe(0o700);
    // Metadata saying it holds another service's data than its id names is not to be trusted.
    expect(Either.isRight(await run(provide(Snapshots.Save.save(root, request(S2, { service: "db" })))))).toBe(true);
    const mislabelled = await run(provide(Snapshots.Catalogue.read(root, S2)));
    expect(Either.isLeft(mislabelled) && mislabelled.left.message).toBe(`snapshot ${S2} is damaged: its meta.json says it holds db's data, but its id names blog; nothing was changed (forget it with 'switchyard snapshot forget ${S2}')`);
    fs.rmSync(path.join(dir, `var/lib/switchyard/snapshots/${S2}`), { recursive: true });
    // Saving the same id again leaves the committed snapshot as it is.
    const again = await run(provide(Snapshots.Save.save(root, request(S1, { takenMs: 1 }))));
    expect(Either.isRight(again) && again.right.takenMs).toBe(meta.takenMs);

    const listed = await run(provide(Snapshots.Catalogue.list(root)));
    expect(Either.isRight(listed) && listed.right.snapshots.map((s) => s.id)).toEqual([S1]);
    const checked = await run(provide(Snapshots.Check.check(root, S1, null)));
    expect(Either.isRight(checked) && checked.right.members).toBe(2);

    const dest = path.join(dir, "restore-here");
    const opened = await run(provide(Snapshots.Open.extract(root, { id: S1, service: "blog", path: "/var/lib/blog/files", dest, identity: null })));
    expect(reasonOf(opened)).toBe("ok");
    expect(tree(dest)).toEqual(tree(path.join(dir, "var/lib/blog/files")));

    const other = await run(provide(Snapshots.Open.extract(root, { id: S1, service: "db", path: "/var/lib/blog/files", dest: `${dest}2`, identity: null })));
    expect(reasonOf(other)).toBe("Damaged");
    expect(fs.existsSync(`${dest}2`)).toBe(false);

    // One byte changed: refused before tar reads it, and check says so too.
    const member = path.join(dir, `var/lib/switchyard/snapshots/${S1}/path-0.tar.zst`);
    const bytes = fs.readFileSync(member);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    fs.writeFileSync(member, bytes);
    const tampered = await run(provide(Snapshots.Open.extract(root, { id: S1, service: "blog", path: "/var/lib/blog/files", dest: `${dest}3`, identity: null })));
    expect(reasonOf(tampered)).toBe("Damaged");
    expect(fs.existsSync(`${dest}3`)).toBe(false);
    expect(reasonOf(await run(provide(Snapshots.Check.check(root, S1, null))))).toBe("Damaged");

    // An id is never a path: one that climbs out of the store names nothing, and nothing goes.
    expect(reasonOf(await run(provide(Snapshots.Forget.forget(root, `${S1}/../../profiles`))))).toBe("NotFound");
    expect(reasonOf(await run(provide(Snapshots.Check.check(root, "../snapshots", null))))).toBe("NotFound");
    expect(fs.existsSync(path.join(dir, "var/lib/switchyard/snapshots", S1))).toBe(true);
    // A data directory that is a link is refused, not archived through.
    fs.symlinkSync("/etc", path.join(dir, "var/lib/blog/linked"));
    expect(reasonOf(await run(provide(Snapshots.Save.save(root, request(S2, { paths: ["/var/lib/blog/linked"] })))))).toBe("Io");
    expect(reasonOf(await run(provide(Snapshots.Forget.forget(root, S1))))).toBe("ok");
    expect(fs.readdirSync(path.join(dir, "var/lib/switchyard/snapshots"))).toEqual([]);
    expect(reasonOf(await run(provide(Snapshots.Forget.forget(root, S1))))).toBe("NotFound");
  });

  it("encrypts to age recipients (gzip), and opens only with the right identity", async () => {
    const key = path.join(dir, "key.txt");
    const wrong = path.join(dir, "wrong.txt");
    execFileSync("age-keygen", ["-o", key], { stdio: "ignore" });
    execFileSync("age-keygen", ["-o", wrong], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", key]).toString().trim();
    // A stale partial from a crash is removed, not mixed in.
    fs.mkdirSync(path.join(dir, `var/lib/switchyard/snapshots/.${S2}.partial`), { recursive: true });
    fs.writeFileSync(path.join(dir, `var/lib/switchyard/snapshots/.${S2}.partial/junk`), "x");
    const saved = await run(provide(Snapshots.Save.save(root, request(S2, { compression: "gzip", recipients: [recipient], paths: ["/var/lib/blog/files"] }))));
    expect(Either.isRight(saved) && saved.right.members.map((m) => m.name)).toEqual(["path-0.tar.gz.age"]);
    expect(fs.readdirSync(path.join(dir, `var/lib/switchyard/snapshots/${S2}`)).sort()).toEqual(["meta.json", "path-0.tar.gz.age"]);
    const open = (identity: string | null, dest: string) =>
      run(provide(Snapshots.Open.extract(root, { id: S2, service: "blog", path: "/var/lib/blog/files", dest: path.join(dir, dest), identity })));
    expect(reasonOf(await open(null, "d1"))).toBe("Identity");
    expect(reasonOf(await open(wrong, "d2"))).toBe("Identity");
    expect(reasonOf(await open(path.join(dir, "absent.txt"), "d3"))).toBe("Identity");
    expect(["d1", "d2", "d3"].some((d) => fs.existsSync(path.join(dir, d)))).toBe(false);
    expect(reasonOf(await open(key, "d4"))).toBe("ok");
    expect(tree(path.join(dir, "d4"))).toEqual(tree(path.join(dir, "var/lib/blog/files")));
    const checked = await run(provide(Snapshots.Check.check(root, S2, key)));
    expect(Either.isRight(checked) && checked.right.decrypted).toBe(true);
    expect(reasonOf(await run(provide(Snapshots.Check.check(root, S2, wrong))))).toBe("Identity");
    // Nothing of the opening is left behind.
    expect(fs.readdirSync(path.join(dir, "var/lib/switchyard/snapshots"))).toEqual([S2]);
  });
});

/**
 * The whole story with real databases under s6, on the built binary: a PostgreSQL `db` (dumped
 * with pg_dump -Fc, loaded with pg_restore --clean) and a `blog` whose data is a directory (an
 * SQLite file and its uploads). Generation 1 writes epoch 1; generation 2's activation migrates
 * both schemas (epoch 2*). Rows are written after the upgrade; the rollback's plan says they will be
 * replaced and kept; the rollback brings back generation 1's rows and schema (the blog's directory
 * byte for byte) and keeps the replaced data as snapshots; switching to 2 again keeps the data (2*
 * reads 1), and the kept snapshots restore the post-upgrade rows.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DATA, dbService, installPostgres, PG_BIN, postgresMissing, psql, waitReady } from "./postgres-support.js";
import { ok, supervisedRoots } from "./s6-support.js";
import { run, systemOf } from "./support.js";

const sqliteMissing = spawnSync("sqlite3", ["-version"], { stdio: "ignore" }).error === undefined ? null : "sqlite3 is not installed";
const missing = postgresMissing ?? sqliteMissing;
if (missing !== null) console.log(`database state test skipped: ${missing}`);

const roots = supervisedRoots();
afterAll(roots.stopAll);

const BLOG = "/var/lib/blog";
const blogService = (epoch: string) => ({ name: "blog", start: ["/bin/sleep", "1000"], state: { paths: [BLOG], epoch } });
const db = (epoch: string) => dbService({ state: { dump: ["bin/db-dump"], load: ["bin/db-load", "postgres"], epoch } });
const generations = [
  { number: 1, services: [db("1"), blogService("1")] },
  { number: 2, services: [db("2*"), blogService("2*")] },
];

const sqlite = (root: string, sql: string): string => {
  const r = spawnSync("sqlite3", [path.join(root, BLOG, "blog.db"), sql], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  return r.stdout.trim();
};

/**
 * Generation 2's activation migrates both schemas while their services are stopped: PostgreSQL
 * in single-user mode (no server), SQLite through its user_version. Both are idempotent.
 */
const migration = (pgBin: string) => `#!/bin/sh
set -e
PATH=${pgBin}:$PATH
echo "ALTER TABLE posts ADD COLUMN IF NOT EXISTS title text" | setpriv --reuid=postgres --regid=postgres --init-groups -- postgres --single -D "$SWITCHYARD_ROOT${DATA}" postgres >/dev/null
blog="$SWITCHYARD_ROOT${BLOG}/blog.db"
if [ "$(sqlite3 "$blog" 'PRAGMA user_version')" = 1 ]; then sqlite3 "$blog" 'ALTER TABLE posts ADD COLUMN title text; PRAGMA user_version = 2'; fi
`;

const install = (root: string, n: number) => {
  installPostgres(root, n);
  if (n === 2) fs.writeFileSync(path.join(root, systemOf(2), "activate"), migration(PG_BIN as string), { mode: 0o755 });
  if (n === 1) {
    fs.mkdirSync(path.join(root, BLOG, "uploads"), { recursive: true });
    fs.writeFileSync(path.join(root, BLOG, "uploads/first.png"), crypto.randomBytes(2048));
    sqlite(root, "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO posts (body) VALUES ('hello'), ('second'); PRAGMA user_version = 1;");
  }
};

/** Every entry under `dir`: its kind, mode and the SHA-256 of its bytes (or its link's target). */
const digest = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = `${rel}/${name}`;
      const st = fs.lstatSync(path.join(dir, r));
      const what = st.isSymbolicLink() ? `link ${fs.readlinkSync(path.join(dir, r))}` : st.isDirectory() ? "dir" : crypto.createHash("sha256").update(fs.readFileSync(path.join(dir, r))).digest("hex");
      out[r] = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${what}`;
      if (st.isDirectory()) walk(r);
    }
  };
  walk("");
  return out;
};

const rows = (root: string) => psql(root, "postgres", "SELECT string_agg(id || ':' || body, ',' ORDER BY id) FROM posts");
const columns = (root: string) => psql(root, "postgres", "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'posts'");

interface StateEntry {
  readonly service: string;
  readonly action: string;
  readonly snapshot: string | null;
  readonly saved: string | null;
  readonly loss: string | null;
}

describe.skipIf(missing !== null)("PostgreSQL and a directory of SQLite data through an upgrade and its rollback", () => {
  it("rollback restores generation 1's rows and schema, keeps what it replaces; switching to 2 again keeps the data", { timeout: 60_000 }, async () => {
    const root = await roots.make(generations, install);
    await waitReady(root);
    psql(root, "postgres", "CREATE TABLE posts (id int PRIMARY KEY, body text); INSERT INTO posts VALUES (1, 'hello'), (2, 'second');");
    const blog = path.join(root, BLOG);
    const v1 = digest(blog);

    const up = await ok(root, "apply", "switch", "2", "--yes");
    expect(up.stdout).toMatch(/db: snapshot \S+-g1-db taken before it stops; data in epoch 1 \(generation 1\) kept; the target reads epoch 2\*/);
    await waitReady(root);
    expect(columns(root)).toBe("id,body,title");
    expect(sqlite(root, "PRAGMA user_version")).toBe("2");

    // Written by generation 2, after the upgrade.
    psql(root, "postgres", "INSERT INTO posts VALUES (3, 'after the upgrade', 'New')");
    sqlite(root, "INSERT INTO posts (body, title) VALUES ('after the upgrade', 'New')");
    fs.writeFileSync(path.join(blog, "uploads/second.png"), crypto.randomBytes(1024));
    const v2 = digest(blog);

    // The rollback's plan states each restore as a loss, in text and in its JSON.
    const json = JSON.parse((await ok(root, "plan", "rollback", "--json")).stdout) as { state: ReadonlyArray<StateEntry> };
    const back = await ok(root, "apply", "rollback", "--yes");
    const kept = new Map<string, string>();
    for (const service of ["db", "blog"]) {
      const loss = new RegExp(`${service}: restores snapshot \\S+-g1-${service} \\(taken .* UTC, generation 1\\); changes since then are replaced — kept as snapshot (\\S+-g2-${service})`);
      const entry = json.state.find((s) => s.service === service && s.action === "restore");
      expect(entry, `${service} in ${JSON.stringify(json.state)}`).toMatchObject({ snapshot: expect.stringMatching(new RegExp(`-g1-${service}$`)), saved: expect.stringMatching(new RegExp(`-g2-${service}$`)), loss: expect.stringMatching(loss) });
      const line = loss.exec(back.stdout);
      expect(line, back.stdout).not.toBeNull();
      kept.set(service, line?.[1] as string);
    }
    await waitReady(root);
    expect({ rows: rows(root), columns: columns(root) }).toEqual({ rows: "1:hello,2:second", columns: "id,body" });
    expect(digest(blog)).toEqual(v1);
    expect((await run(root, "snapshot", "list")).stdout).toContain(`${kept.get("blog") ?? ""}  blog  generation 2  epoch 2*  `);
    const listed = JSON.parse((await run(root, "snapshot", "list", "--json")).stdout) as { snapshots: ReadonlyArray<{ id: string; service: string; generation: number }> };
    expect(listed.snapshots).toEqual(expect.arrayContaining([...kept].map(([service, id]) => expect.objectContaining({ id, service, generation: 2 }))));

    const again = await ok(root, "apply", "switch", "2", "--yes");
    for (const service of ["db", "blog"]) expect(again.stdout).toMatch(new RegExp(`${service}: snapshot \\S+ taken before it stops; data in epoch 1 \\(generation 1\\) kept`));
    await waitReady(root);
    expect({ rows: rows(root), columns: columns(root) }).toEqual({ rows: "1:hello,2:second", columns: "id,body,title" });
    expect(sqlite(root, "SELECT group_concat(body) FROM posts")).toBe("hello,second");

    // The replaced data is whole: restoring the kept snapshot brings the post-upgrade rows back,
    // and the blog's, opened by hand with tar and zstd, holds its directory as it was.
    await ok(root, "apply", "snapshot", "restore", kept.get("db") as string, "--yes");
    expect(rows(root)).toBe("1:hello,2:second,3:after the upgrade");
    const opened = path.join(root, "opened");
    fs.mkdirSync(opened);
    const tar = spawnSync("tar", ["--extract", "--zstd", "--numeric-owner", "--preserve-permissions", `--file=${path.join(root, "var/lib/switchyard/snapshots", kept.get("blog") as string, "path-0.tar.zst")}`, `--directory=${opened}`], { encoding: "utf8" });
    expect(tar.stderr).toBe("");
    expect(digest(opened)).toEqual(v2);
  });
});

/**
 * A real PostgreSQL for the end-to-end tests: a cluster made with initdb inside the test root as
 * user `postgres` (the tests run as root), served by a `db` service under switchyard's own s6
 * supervisor on a unix socket inside the root (no TCP), with the state programs a manifest
 * declares: `bin/db-dump` (pg_dump -Fc into SWITCHYARD_STATE_DIR) and `bin/db-load DATABASE`
 * (pg_restore --clean from it). Debian keeps the server's programs in /usr/lib/postgresql/N/bin.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { hasS6 } from "./s6-support.js";
import { systemOf } from "./support.js";

/** The directory holding initdb, postgres and pg_ctl: the newest Debian version, else PATH's. */
const findBin = (): string | null => {
  const versions = fs.existsSync("/usr/lib/postgresql")
    ? fs.readdirSync("/usr/lib/postgresql").filter((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`)).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return `/usr/lib/postgresql/${versions[0]}/bin`;
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  return which.status === 0 ? path.dirname(which.stdout.trim()) : null;
};

export const PG_BIN = findBin();

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0;

/** Why the PostgreSQL tests cannot run here, or null when they can. */
export const postgresMissing = ((): string | null => {
  if (PG_BIN === null) return "PostgreSQL is not installed (initdb not found)";
  if (spawnSync("id", ["postgres"], { stdio: "ignore" }).status !== 0) return "there is no user 'postgres'";
  if (!hasS6) return "s6 is not installed";
  const tools = ["psql", "pg_dump", "pg_restore", "tar", "zstd"].filter((t) => !has(t) && !fs.existsSync(`${PG_BIN}/${t}`));
  return tools.length > 0 ? `${tools.join(", ")} not installed` : null;
})();

export const DATA = "/var/lib/db/data";
export const SOCKET = "/run/db";

const script = (lines: ReadonlyArray<string>) => `#!/bin/sh\nset -e\nPATH=${PG_BIN}:$PATH\n${lines.join("\n")}\n`;

/** The `db` service record, as a manifest declares it. */
export const dbService = (extra: Record<string, unknown> = {}) => ({
  name: "db",
  start: ["bin/db"],
  user: "postgres",
  state: { dump: ["bin/db-dump"], load: ["bin/db-load", "postgres"], epoch: "1" },
  ...extra,
});

/** psql on the root's server as user postgres; its output, one row per line. */
export const psql = (root: string, database: string, sql: string): string => {
  const r = spawnSync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", `${PG_BIN}/psql`, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", path.join(root, SOCKET), "-U", "postgres", "-d", database, "-c", sql], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${PG_BIN}:${process.env["PATH"] ?? ""}` },
  });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
};

/**
 * Make the cluster in `root` and write generation `n`'s programs into its system directory (a
 * supervised root's `install`). The root is opened to other users so `postgres` can reach it.
 */
export const installPostgres = (root: string, n: number): void => {
  fs.chmodSync(root, 0o755);
  const sock = path.join(root, SOCKET);
  const data = path.join(root, DATA);
  if (!fs.existsSync(data)) {
    fs.mkdirSync(data, { recursive: true });
    fs.mkdirSync(sock, { recursive: true });
    spawnSync("chown", ["-R", "postgres:postgres", path.join(root, "var/lib/db"), sock]);
    const init = spawnSync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", `${PG_BIN}/initdb`, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], { encoding: "utf8" });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  }
  const bin = path.join(root, systemOf(n), "bin");
  fs.mkdirSync(bin, { recursive: true });
  const write = (name: string, lines: ReadonlyArray<string>) => fs.writeFileSync(path.join(bin, name), script(lines), { mode: 0o755 });
  write("db", [`exec postgres -D ${data} -k ${sock} -c listen_addresses= -c fsync=off`]);
  write("db-dump", [`pg_dump -Fc -h ${sock} -U postgres -f "$SWITCHYARD_STATE_DIR/db.dump" postgres`]);
  // The load runs as soon as s6 has started the server, which may not accept connections yet.
  write("db-load", [`for i in $(seq 100); do pg_isready -q -h ${sock} -U postgres && break; sleep 0.1; done`, `pg_restore --clean --if-exists --no-owner -h ${sock} -U postgres -d "$1" "$SWITCHYARD_STATE_DIR/db.dump"`]);
};

/** Wait until the root's server accepts connections (up to `ms`). */
export const waitReady = async (root: string, ms = 20_000): Promise<void> => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (spawnSync(`${PG_BIN}/pg_isready`, ["-q", "-h", path.join(root, SOCKET), "-U", "postgres"]).status === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the PostgreSQL server did not come up");
};

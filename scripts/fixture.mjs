// Builds a root with generations, the way a system builder would leave it: immutable system
// directories under /store, each with manifest.json, kernel, initrd and an activation script, and
// the profile's system-N-link symlinks (absolute targets, mtimes set). Used by the demo, the tests
// and the benchmarks.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync, symlinkSync, lutimesSync, chmodSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";

export const PROFILE_DIR = "/var/lib/switchyard/profiles";
const HOUR = 3600_000;

/** A store-like name: 32 base32 characters, so link targets are realistic (over 60 bytes). */
export const storeName = (seed, name) => {
  const alphabet = "0123456789abcdfghijklmnpqrsvwxyz";
  let x = (seed * 2654435761) >>> 0;
  let out = "";
  for (let i = 0; i < 32; i++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + i) >>> 0;
    out += alphabet[x % 32];
  }
  return `/store/${out}-${name}`;
};

const write = (path, content, mode) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
};

const activationScript = (activate) => {
  if (activate === "fail") return "#!/bin/sh\necho \"activating $SWITCHYARD_SYSTEM\"\necho 'cannot set up /etc: disk on fire' >&2\nexit 3\n";
  return [
    "#!/bin/sh",
    "# Records each activation so tests and the demo can see which generation ran, and how.",
    "set -e",
    'mkdir -p "$SWITCHYARD_ROOT/var/log"',
    'echo "$SWITCHYARD_ACTION $SWITCHYARD_SYSTEM" >> "$SWITCHYARD_ROOT/var/log/activations"',
    'echo "activated $SWITCHYARD_SYSTEM ($SWITCHYARD_ACTION)"',
    "",
  ].join("\n");
};

/** Write a system directory; returns its in-root path. */
export const makeSystem = (root, spec) => {
  const system = spec.system ?? storeName(spec.number, `example-os-${spec.number}`);
  const host = join(root, system);
  const manifest = spec.manifest ?? {
    schema: 1,
    label: spec.label ?? `Example OS 24.11 (Linux 6.8.${spec.number})`,
    boot: { kernel: "kernel", initrd: "initrd", params: spec.params ?? ["quiet"] },
    ...(spec.activate === null ? {} : { activate: "activate" }),
    services: spec.services ?? [],
  };
  write(join(host, "manifest.json"), typeof manifest === "string" ? manifest : `${JSON.stringify(manifest, null, 2)}\n`);
  write(join(host, "kernel"), `kernel of generation ${spec.number}\n`);
  write(join(host, "initrd"), `initrd of generation ${spec.number}\n`);
  if (spec.activate !== null) write(join(host, "activate"), activationScript(spec.activate), 0o755);
  return system;
};

/** Point `path` (in-root) at `target`, replacing what is there, with an optional link mtime. */
export const link = (root, path, target, mtimeMs) => {
  const host = join(root, path);
  mkdirSync(dirname(host), { recursive: true });
  rmSync(host, { force: true });
  symlinkSync(target, host);
  if (mtimeMs !== undefined) lutimesSync(host, mtimeMs / 1000, mtimeMs / 1000);
};

/**
 * Build a root. `generations`: [{ number, label?, services?, activate?: "ok"|"fail"|null, createdMs?, manifest? }].
 * `current`, `running`, `booted`: generation numbers (or null) for the profile link,
 * /run/current-system and /run/booted-system. `config`: written to /etc/switchyard/config.json.
 */
export const makeRoot = (root, options) => {
  mkdirSync(root, { recursive: true });
  const now = options.nowMs ?? Date.now();
  const systems = new Map();
  const count = options.generations.length;
  options.generations.forEach((g, i) => {
    const system = makeSystem(root, g);
    systems.set(g.number, system);
    link(root, `${PROFILE_DIR}/system-${g.number}-link`, system, g.createdMs ?? now - (count - i) * 24 * HOUR);
  });
  if (options.current != null) link(root, `${PROFILE_DIR}/system`, `system-${options.current}-link`);
  if (options.running != null) link(root, "/run/current-system", systems.get(options.running));
  if (options.booted != null) link(root, "/run/booted-system", systems.get(options.booted));
  if (options.config !== undefined) write(join(root, "etc/switchyard/config.json"), `${JSON.stringify(options.config, null, 2)}\n`);
  mkdirSync(join(root, "boot/grub"), { recursive: true });
  return { root, systems };
};

export const exists = (root, path) => existsSync(join(root, path));

/** The demo's three generations: a database, then a web front end, then a changed database and a cache. */
export const demoGenerations = () => [
  { number: 1, label: "Example OS 24.05 (Linux 6.6.30)", services: [{ name: "db", start: ["/bin/sleep", "infinity"] }] },
  {
    number: 2,
    label: "Example OS 24.11 (Linux 6.8.9)",
    services: [
      { name: "db", start: ["/bin/sleep", "infinity"] },
      { name: "web", requires: ["db"], start: ["/bin/sleep", "infinity"], reload: ["/bin/true"], reloadIfChanged: true },
    ],
  },
  {
    number: 3,
    label: "Example OS 24.11 (Linux 6.8.12)",
    services: [
      { name: "db", start: ["/bin/sleep", "infinity"], env: { DB_CACHE: "256M" } },
      { name: "web", requires: ["db"], start: ["/bin/sleep", "infinity"], reload: ["/bin/true"], reloadIfChanged: true },
      { name: "cache", start: ["/bin/sleep", "infinity"], stopIfChanged: false },
    ],
  },
];

/**
 * The demo's blog (needs sqlite3): its posts in /var/lib/blog/blog.db, declared as its data.
 * Generation 1 writes data epoch 1; generation 2's activation adds a title to every post (schema
 * 2, idempotent through SQLite's user_version), so it declares 2*. Both have the same kernel, so
 * the blog is the only change. Generation 1 is current, running and booted.
 */
export const makeBlogRoot = (root, config) => {
  const blog = (epoch) => ({ name: "blog", start: ["/bin/sleep", "infinity"], state: { paths: ["/var/lib/blog"], epoch } });
  const { systems } = makeRoot(root, {
    generations: [
      { number: 1, label: "Blog 1", services: [blog("1")] },
      { number: 2, label: "Blog 2 (posts get a title)", services: [blog("2*")] },
    ],
    current: 1,
    running: 1,
    booted: 1,
    config,
  });
  const [one, two] = [join(root, systems.get(1)), join(root, systems.get(2))];
  for (const file of ["kernel", "initrd"]) writeFileSync(join(two, file), readFileSync(join(one, file)));
  mkdirSync(join(root, "var/lib/blog/uploads"), { recursive: true });
  const init = "CREATE TABLE posts (body TEXT); INSERT INTO posts VALUES ('Hello from generation 1'); PRAGMA user_version = 1";
  const r = spawnSync("sqlite3", [join(root, "var/lib/blog/blog.db"), init], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  const migrate = [
    "#!/bin/sh",
    "set -e",
    'db="$SWITCHYARD_ROOT/var/lib/blog/blog.db"',
    `if [ "$(sqlite3 "$db" 'PRAGMA user_version')" = 1 ]; then`,
    `  sqlite3 "$db" 'ALTER TABLE posts ADD COLUMN title TEXT; PRAGMA user_version = 2'`,
    '  echo "migrated the posts to schema 2"',
    "fi",
    "",
  ];
  write(join(two, "activate"), migrate.join("\n"), 0o755);
  return root;
};

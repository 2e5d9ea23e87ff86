// `npm run demo`: a short tour on a demo root with three generations in a temp directory, with the
// real switchyard binary and real services under s6 (its own supervisor on the root's scan
// directory). Before each command one line says what it shows and why it matters; each plan is
// printed once; the supervisor, and with it every service, is always stopped at the end.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoGenerations, makeBlogRoot, makeRoot } from "./fixture.mjs";

const repo = new URL("..", import.meta.url).pathname;
const bin = join(repo, "packages/cli/bin/switchyard.js");
if (!existsSync(join(repo, "packages/cli/dist/switchyard.js"))) {
  spawnSync(process.execPath, [join(repo, "scripts/build.mjs")], { stdio: "inherit" });
}
// Real services need s6 (Debian's `s6`, which CI installs). Without it the demo still runs, with
// service steps shown and recorded rather than executed, and says so.
const withS6 = spawnSync("s6-svscan", ["-h"], { stdio: "ignore" }).error === undefined;

const root = mkdtempSync(join(tmpdir(), "switchyard-demo-"));
// The config file chooses the service manager, so no command below needs --service-manager.
makeRoot(root, { generations: demoGenerations(), current: 2, running: 2, booted: 2, config: { timeout: 3, serviceManager: withS6 ? "s6" : "none" } });

/**
 * Run a command on root `on`; `why` is printed before it. `progress: false` keeps its step lines
 * (stderr) unless it fails; `only` prints just the output lines it matches (a plan already shown).
 */
const switchyard = (why, args, { progress = true, quiet = false, on = root, only = null } = {}) => {
  if (!quiet) console.log(`\n# ${why}\n$ switchyard ${args.join(" ")}`);
  const out = quiet ? "ignore" : only === null ? "inherit" : "pipe";
  const r = spawnSync(process.execPath, [bin, "--root", on, ...args], { cwd: on, stdio: ["inherit", out, progress && !quiet ? "inherit" : "pipe"], encoding: "utf8" });
  if (r.status !== 0) {
    if (r.stderr) process.stderr.write(r.stderr);
    throw new Error(`switchyard ${args.join(" ")} exited with ${r.status}`);
  }
  if (only !== null) for (const line of r.stdout.split("\n").filter((l) => only.test(l))) console.log(line);
};

console.log(`Demo root ${root}: three generations of a small OS; 2 is current, running and booted.`);
if (!withS6) console.log("(s6 is not installed: service steps are planned and recorded, not run. Debian: apt-get install s6)");
try {
  if (withS6) switchyard("", ["supervisor", "start"], { quiet: true });
  // The state switchyard itself would leave: generation 2's services up, its boot menu written.
  switchyard("", ["apply", "switch", "2", "--yes"], { quiet: true });
  switchyard("Switch to 3: db changed, so it stops before activation and starts after; web goes with it.", ["apply", "switch", "3", "--yes"]);
  switchyard(
    withS6 ? "Now 3 is current (the boot default) and running; the machine still booted 2. Whose code runs:" : "Now 3 is current (the boot default) and running; the machine still booted 2.",
    withS6 ? ["status"] : ["list"],
  );
  switchyard("Roll back: the reverse plan. A failure before its commit would revert to 3. (Step lines hidden.)", ["apply", "rollback", "--yes"], {
    progress: false,
  });
} finally {
  if (withS6) switchyard("", ["supervisor", "stop"], { quiet: true });
}
const stopped = (r) => {
  const pidFile = join(r, "var/lib/switchyard/supervisor.pid");
  return !(existsSync(pidFile) && spawnSync("kill", ["-0", readFileSync(pidFile, "utf8").trim()]).status === 0);
};

// State that rolls back: a blog keeps its posts in SQLite under /var/lib/blog, declared as its data.
const withSqlite = spawnSync("sqlite3", ["-version"], { stdio: "ignore" }).error === undefined;
const blogRoot = withS6 && withSqlite ? mkdtempSync(join(tmpdir(), "switchyard-demo-blog-")) : null;
const sql = (query) => {
  console.log(`$ sqlite3 /var/lib/blog/blog.db "${query}"`);
  const r = spawnSync("sqlite3", [join(blogRoot, "var/lib/blog/blog.db"), query], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  process.stdout.write(r.stdout);
};
if (blogRoot === null) {
  const need = [withS6 ? null : "s6", withSqlite ? null : "sqlite3"].filter((n) => n !== null).join(" and ");
  console.log(`\n(The blog whose data rolls back needs ${need}: skipped. Debian: apt-get install ${need.replace(" and ", " ")})`);
} else {
  makeBlogRoot(blogRoot, { timeout: 3, serviceManager: "s6" });
  console.log(`\n\nDemo root ${blogRoot}: a blog whose posts live in /var/lib/blog/blog.db, declared as its data (epoch 1).`);
  try {
    switchyard("", ["supervisor", "start"], { quiet: true, on: blogRoot });
    switchyard("", ["apply", "switch", "1", "--yes"], { quiet: true, on: blogRoot });
    switchyard("Upgrade to 2, whose activation migrates the posts (epoch 2*: reads 1, writes 2). The data is snapshotted first. (Plan abridged.)", ["apply", "switch", "2", "--yes"], {
      progress: false,
      on: blogRoot,
      only: /^(Data:|  \S+ +blog:|switched)/,
    });
    console.log("\n# A post written after the upgrade, with a title (schema 2):");
    sql("INSERT INTO posts VALUES ('Written on 2', 'New')");
    sql("SELECT * FROM posts");
    const saved = "rollback.plan";
    switchyard("Roll back: 1 cannot read epoch 2, so its snapshot comes back; the plan says what that replaces. (Abridged; saved.)", ["plan", "rollback", "--out", saved], {
      on: blogRoot,
      only: /^(Plan:|Data:|  \S+ +blog:|\d+ steps|Saved)/,
    });
    switchyard("Carry out the saved plan: computed again under the lock, it names the same snapshots.", ["apply", "--plan", saved, "--yes"], { progress: false, on: blogRoot, only: /^switched/ });
    console.log("\n# Generation 1's posts and schema are back:");
    sql("SELECT * FROM posts");
    switchyard("The post written on 2 is not lost: it is in the snapshot the plan named, which 'switchyard snapshot restore ID' brings back on 2.", ["snapshot", "list"], { on: blogRoot });
  } finally {
    switchyard("", ["supervisor", "stop"], { quiet: true, on: blogRoot });
  }
}
const left = !stopped(root) || (blogRoot !== null && !stopped(blogRoot));
console.log(`\n${left ? "warning: a supervisor is still running" : "Done: the supervisors and every service are stopped."} Explore: npx switchyard --root ${root} diff 2 3${blogRoot !== null ? `; npx switchyard --root ${blogRoot} snapshot list` : ""}`);

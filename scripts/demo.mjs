// `npm run demo`: a short tour on a demo root with three generations in a temp directory, with the
// real switchyard binary and real services under s6 (its own supervisor on the root's scan
// directory). Before each command one line says what it shows and why it matters; each plan is
// printed once; the supervisor, and with it every service, is always stopped at the end.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoGenerations, makeRoot } from "./fixture.mjs";

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

/** Run a command; `why` is printed before it. `progress: false` keeps its step lines (stderr) unless it fails. */
const switchyard = (why, args, { progress = true, quiet = false } = {}) => {
  if (!quiet) console.log(`\n# ${why}\n$ switchyard ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [bin, "--root", root, ...args], { stdio: ["inherit", quiet ? "ignore" : "inherit", progress && !quiet ? "inherit" : "pipe"] });
  if (r.status !== 0) {
    if (r.stderr) process.stderr.write(r.stderr);
    throw new Error(`switchyard ${args.join(" ")} exited with ${r.status}`);
  }
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
const pidFile = join(root, "var/lib/switchyard/supervisor.pid");
const left = existsSync(pidFile) && spawnSync("kill", ["-0", readFileSync(pidFile, "utf8").trim()]).status === 0;
console.log(`${left ? "warning: the supervisor is still running" : "Done: the supervisor and every service are stopped."} Explore: npx switchyard --root ${root} diff 2 3`);

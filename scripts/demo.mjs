// `npm run demo`: builds a demo root with three generations in a temp directory and walks through
// a switch and a rollback with the real switchyard binary and real services under s6: it starts a
// supervisor of its own on the root's scan directory, shows `status` before and after, and always
// stops the supervisor (and so every service) at the end.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
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
makeRoot(root, {
  generations: demoGenerations(),
  current: 2,
  running: 2,
  booted: 2,
  config: { timeout: 3, serviceManager: withS6 ? "s6" : "none" },
});

const switchyard = (args, { quiet = false, check = true } = {}) => {
  if (!quiet) console.log(`\n$ switchyard ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [bin, "--root", root, ...args], { stdio: quiet ? "ignore" : "inherit" });
  if (check && r.status !== 0) throw new Error(`switchyard ${args.join(" ")} exited with ${r.status}`);
};
const status = () => withS6 && switchyard(["status"]);

console.log(`Demo root: ${root}  (every command below runs with --root ${root})`);
if (!withS6) console.log("s6 is not installed (Debian: apt-get install s6): services are planned and recorded, not run.");
try {
  if (withS6) switchyard(["supervisor", "start"]);
  // Bring the fresh root to the state switchyard itself would leave: generation 2's services up, boot menu written.
  switchyard(["apply", "switch", "2", "--yes"], { quiet: true });
  switchyard(["list"]);
  status();
  switchyard(["apply", "switch", "3", "--yes"]);
  status();
  switchyard(["plan", "rollback"]);
  switchyard(["apply", "rollback", "--yes"]);
  status();
  switchyard(["list"]);
} finally {
  if (withS6) switchyard(["supervisor", "stop"], { check: false });
}
console.log(`\nExplore further, e.g.: npx switchyard --root ${root} describe${withS6 ? "   (and 'supervisor start' to bring its services back)" : ""}`);

// `npm run demo`: builds a demo root with three generations in a temp directory and walks through
// list → plan rollback → apply rollback → list with the real switchyard binary.
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

const root = mkdtempSync(join(tmpdir(), "switchyard-demo-"));
makeRoot(root, { generations: demoGenerations(), current: 3, running: 3, booted: 3, config: { timeout: 3 } });

const switchyard = (args, { quiet = false } = {}) => {
  if (!quiet) console.log(`\n$ switchyard ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [bin, "--root", root, ...args], { stdio: quiet ? "ignore" : "inherit" });
  if (r.status !== 0) {
    console.error(`(exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
};

// Bring the fresh root to the state switchyard itself would leave: boot menu written for generation 3.
switchyard(["apply", "switch", "3", "--yes"], { quiet: true });
console.log(`Demo root: ${root}  (every command below runs with --root ${root})`);
switchyard(["list"]);
switchyard(["plan", "rollback"]);
switchyard(["apply", "rollback", "--yes"]);
switchyard(["list"]);
console.log(`\nExplore further, e.g.: npx switchyard --root ${root} describe`);

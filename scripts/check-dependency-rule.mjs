// The dependency rule, enforced: model ← interpreter ← cli. The model imports only fp-ts, io-ts and
// itself; the interpreter never imports the CLI. Exits non-zero naming each offending import.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const rules = [
  { dir: "packages/model/src", allowed: (spec) => spec.startsWith(".") || /^(fp-ts|io-ts)(\/|$)/.test(spec), why: "the model imports only fp-ts, io-ts and its own modules" },
  { dir: "packages/interpreter/src", allowed: (spec) => !/^(switchyard|@switchyard\/cli)(\/|$)/.test(spec), why: "the interpreter must not import the CLI" },
];
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const problems = [];
for (const rule of rules) {
  for (const file of files(join(root, rule.dir))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!rule.allowed(spec)) problems.push(`${relative(root, file)}: imports '${spec}': ${rule.why}`);
    }
    if (rule.dir.includes("model") && /\b(Date\.now|new Date\(|Math\.random|process\.(env|argv|exit|pid|cwd|hrtime|platform))/.test(text)) {
      problems.push(`${relative(root, file)}: uses the clock, randomness or the process: the model must stay pure`);
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("dependency rule: ok");

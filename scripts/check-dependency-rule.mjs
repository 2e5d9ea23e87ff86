// The dependency rules, enforced per folder (docs/architecture.md):
// - model ← interpreter ← cli; the model imports only fp-ts, io-ts and itself, and stays pure;
// - in the interpreter only node/ (the live layers) touches the machine: every other folder reaches
//   it through ports/ (pure node:path and node:crypto are allowed anywhere);
// - apply/, state/ and observe/ use the ports, never a particular layer (node/, memory/, services/);
// - nothing but tests and the `testing` barrel imports memory/ (the in-memory twins).
// Exits non-zero naming each offending import.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const interp = "packages/interpreter/src";
const under = (dir) => (file) => file.startsWith(`${dir}/`);
const PURE_NODE = /^node:(path|crypto)$/;

/** Each rule: which files it covers, and whether an import (resolved to a repo path when relative) is allowed. */
const rules = [
  {
    files: under("packages/model/src"),
    allowed: ({ spec, target }) => (target === null ? /^(fp-ts|io-ts)(\/|$)/.test(spec) : target.startsWith("packages/model/src/")),
    why: "the model imports only fp-ts, io-ts and its own modules",
  },
  {
    files: under(interp),
    allowed: ({ spec, target }) => !/^(switchyard|@switchyard\/cli)(\/|$)/.test(spec) && (target === null || !target.startsWith("packages/cli/")),
    why: "the interpreter must not import the CLI",
  },
  {
    files: (f) => under(interp)(f) && !under(`${interp}/node`)(f),
    allowed: ({ spec }) => !spec.startsWith("node:") || PURE_NODE.test(spec),
    why: "only node/ (the live layers) reaches the machine; everything else goes through ports/",
  },
  {
    files: (f) => ["apply", "state", "observe", "checks"].some((d) => under(`${interp}/${d}`)(f)),
    allowed: ({ target }) => target === null || !["node", "memory", "services"].some((d) => target.startsWith(`${interp}/${d}/`)),
    why: "apply/, state/, observe/ and checks/ use the ports, never a particular layer",
  },
  {
    files: (f) => !f.startsWith("test/") && f !== `${interp}/testing.ts` && !under(`${interp}/memory`)(f),
    allowed: ({ spec, target }) => spec !== "@switchyard/interpreter/testing" && (target === null || !target.startsWith(`${interp}/memory/`)),
    why: "only tests use the in-memory twins (memory/, @switchyard/interpreter/testing)",
  },
];

const files = (dir) =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (name === "node_modules" || name === "dist") return [];
    return statSync(join(root, path)).isDirectory() ? files(path) : /\.(ts|mjs)$/.test(path) ? [path] : [];
  });
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const PURITY = /\b(Date\.now|new Date\(|Math\.random|process\.(env|argv|exit|pid|cwd|hrtime|platform))/;
const problems = [];
for (const file of ["packages", "scripts"].flatMap(files)) {
  const text = readFileSync(join(root, file), "utf8");
  const applicable = rules.filter((r) => r.files(file));
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    const target = spec.startsWith(".") ? relative(root, resolve(root, dirname(file), spec)) : null;
    for (const rule of applicable) if (!rule.allowed({ spec, target })) problems.push(`${file}: imports '${spec}': ${rule.why}`);
  }
  if (file.startsWith("packages/model/") && PURITY.test(text)) problems.push(`${file}: uses the clock, randomness or the process: the model must stay pure`);
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("dependency rules: ok");

// Bundles the CLI into packages/cli/dist: `switchyard.cjs`, the command line (help, version and
// usage errors load nothing else); `read.cjs`, the ports and the read-only commands (list,
// describe, diff), without the plan codecs and Apply; and `launch.cjs`, the ports and every other
// command, loaded once such a command is to run. All are CommonJS so that packages/cli/bin/load.js can compile them with V8's
// code cache; the caches (`NAME.DIGEST.cache`) are made here by running representative commands
// on a throwaway root, each run adding the functions it compiled. The bundle is built beside dist
// and swapped in with renames, so a concurrent build or run never sees half a bundle.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { makeRoot } from "./fixture.mjs";

const cli = new URL("../packages/cli/", import.meta.url).pathname;
const dist = `${cli}dist`;
const staging = `${cli}.dist-${process.pid}`;

/**
 * fp-ts and io-ts in their ES module builds: bundled as CommonJS packages, each import of them
 * would copy a namespace object at start-up, and nothing of them could be tree-shaken.
 */
const esModuleBuilds = {
  name: "es-module-builds",
  setup: (b) =>
    b.onResolve({ filter: /^fp-ts\/lib\// }, (args) =>
      b.resolve(args.path.replace(/^fp-ts\/lib\//, "fp-ts/es6/"), { kind: args.kind, resolveDir: args.resolveDir }),
    ),
};

/**
 * The model and the interpreter have no module that is imported for what its loading does, so a
 * module none of whose exports a bundle uses is left out of it (io-ts codecs and effect tags are
 * calls at the top level, which esbuild otherwise keeps).
 */
const pureSources = {
  name: "pure-sources",
  setup: (b) =>
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === pureSources) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: pureSources });
      return /\/packages\/(model|interpreter)\/src\//.test(r.path) ? { ...r, sideEffects: false } : r;
    }),
};

const common = {
  bundle: true,
  mainFields: ["module", "main"],
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
  // import() of a bundled module becomes a lazy initialisation inside the bundle.
  supported: { "dynamic-import": false },
  // The global \`performance\`, cheaper (see MonotonicNow.ts).
  inject: [`${cli}src/MonotonicNow.ts`],
};
/** `./Launch.js` and `./Read.js` are left to the loader, which gives each its own bundle. */
const bundleExternal = (...names) => ({
  name: "bundle-external",
  setup: (b) => b.onResolve({ filter: new RegExp(`^\\./(${names.join("|")})\\.js$`) }, (args) => ({ path: args.path, external: true })),
});
await build({ ...common, entryPoints: [`${cli}src/main.ts`], outfile: `${staging}/switchyard.cjs`, plugins: [bundleExternal("Launch", "Read"), esModuleBuilds, pureSources] });
await build({ ...common, entryPoints: [`${cli}src/Read.ts`], outfile: `${staging}/read.cjs`, plugins: [bundleExternal("Launch"), esModuleBuilds, pureSources] });
await build({ ...common, entryPoints: [`${cli}src/Launch.ts`], outfile: `${staging}/launch.cjs`, plugins: [esModuleBuilds, pureSources] });

// The last line names the digest of the rest (after the source map's, so lines keep their numbers);
// load.js finds the cache by it.
for (const name of ["switchyard", "read", "launch"]) {
  const file = `${staging}/${name}.cjs`;
  const code = readFileSync(file, "utf8");
  const digest = createHash("sha256").update(code).digest("hex").slice(0, 32);
  writeFileSync(file, `${code}// switchyard bundle ${digest}\n`);
}

// Each run loads the caches the previous ones wrote and writes them back with what it compiled.
const work = mkdtempSync(join(tmpdir(), "switchyard-build-"));
try {
  const root = join(work, "root");
  const generations = [1, 2, 3, 4].map((number) => ({
    number,
    services: [
      { name: "db", start: ["/bin/sleep", "infinity"], env: { SIZE: String(number) } },
      { name: "web", requires: ["db"], start: ["/bin/sleep", "infinity"], reload: ["/bin/true"], reloadIfChanged: true },
    ],
  }));
  makeRoot(root, { generations, current: 4, running: 4, booted: 4 });
  const runs = [
    ["--help"],
    ["list", "--root", root],
    ["list", "--json", "--root", root],
    ["describe", "--root", root],
    ["plan", "rollback", "--root", root],
    ["plan", "rollback", "--json", "--root", root],
    ["apply", "rollback", "--yes", "--root", root],
    ["apply", "switch", "4", "--yes", "--root", root],
    ["apply", "delete", "1", "--yes", "--root", root],
    ["status", "--root", root],
    ["recover", "--root", root],
    ["list", "--root", root],
  ];
  const warm = join(cli, "bin/load.js");
  for (const argv of runs) {
    const script = `process.argv = [process.argv[0], "switchyard", ...${JSON.stringify(argv)}]; require(${JSON.stringify(warm)}).start({ dist: ${JSON.stringify(staging)}, as: ${JSON.stringify(dist)}, writeCaches: true });`;
    const r = spawnSync(process.execPath, ["-e", script], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (r.status !== 0) throw new Error(`warming the code cache with 'switchyard ${argv.join(" ")}' failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const old = `${cli}.dist-old-${process.pid}`;
try {
  renameSync(dist, old);
} catch {
  // No previous bundle.
}
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
// The man page comes from the same command and option tables as the binary.
await import("./man.mjs");

// Loads the CLI bundles from ../dist (built by scripts/build.mjs) with V8's code cache, so a
// command does not spend its first tens of milliseconds compiling half a megabyte of JavaScript:
// `switchyard.cjs` (the command line, help, version) and, once a command is to run, `read.cjs`
// (the ports and the read-only commands) or `launch.cjs` (the ports and the other commands).
// Each bundle's last line names the digest of its content, and its cache file is named after that
// digest, so a rebuilt bundle never meets an old cache. V8 checks the cache's checksum (the flag below, set before anything is compiled), so a
// corrupt cache is rejected and the source compiled as usual: a bad cache costs time, never
// correctness. This file is plain CommonJS on purpose: it runs before anything else is loaded.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const v8 = require("node:v8");

v8.setFlagsFromString("--verify-snapshot-checksum");
// The young generation does not grow past its first size (V8 doubles it up to 16 MB a semi-space):
// a command's data lives until it ends, so a bigger young generation only holds more of it twice.
// At 10,000 generations this keeps about 13 MB off the peak RSS (docs/benchmarks.md). Only the
// growth can still be set once V8 runs; the maximum size cannot.
v8.setFlagsFromString("--semi-space-growth-factor=1");

const DIGEST = /\n\/\/ switchyard bundle ([0-9a-f]{16,64})\n$/;
const loaded = new Map();

/** The cache file of a bundle, by the digest its last line names (null when it names none). */
const cachePathOf = (file, source) => {
  const m = DIGEST.exec(source.slice(-120));
  return m === null ? null : `${file.slice(0, -".cjs".length)}.${m[1]}.cache`;
};

/**
 * Compile and run one bundle (a CommonJS module) from `dir`, with its code cache when there is one
 * that V8 accepts. Returns its exports; `inspect` tells whether the cache was used. `as`: the
 * directory the bundle is named by in stack traces, when it is read from another (the build warms
 * the caches in a staging directory; a cache keeps the name it was made under).
 */
const load = (dir, name, as = dir) => {
  const known = loaded.get(name);
  if (known !== undefined) return known.module.exports;
  const file = path.join(dir, `${name}.cjs`);
  const named = path.join(as, `${name}.cjs`);
  const source = fs.readFileSync(file, "utf8");
  const cacheFile = cachePathOf(file, source);
  let cachedData;
  if (cacheFile !== null) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // No cache: compile from source.
    }
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: named, cachedData });
  const module = { exports: {} };
  loaded.set(name, { script, module, cacheFile, rejected: cachedData === undefined ? null : script.cachedDataRejected });
  const requireFrom = (spec) => (spec === "./Launch.js" ? load(dir, "launch", as) : spec === "./Read.js" ? load(dir, "read", as) : require(spec));
  script.runInThisContext().call(module.exports, module.exports, requireFrom, module, named, as);
  return module.exports;
};

/** Per bundle loaded so far: whether its cache was used (true), rejected (false) or absent (null). */
const inspect = () => Object.fromEntries([...loaded].map(([name, l]) => [name, l.rejected === null ? null : !l.rejected]));

/** Write each loaded bundle's code cache, with every function compiled so far (the build does this). */
const writeCaches = () => {
  for (const l of loaded.values()) {
    if (l.cacheFile === null) continue;
    const temp = `${l.cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temp, l.script.createCachedData());
    fs.renameSync(temp, l.cacheFile);
  }
};

/** Run the command line; `options.dist`, `options.as` and `options.writeCaches` are for the build. */
const start = (options = {}) => {
  if (options.writeCaches === true) process.on("exit", writeCaches);
  const dist = options.dist ?? path.join(__dirname, "../dist");
  load(dist, "switchyard", options.as ?? dist);
};

module.exports = { start, load, inspect };

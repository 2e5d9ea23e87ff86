// Bundles the CLI into packages/cli/dist: an ESM entry plus lazily loaded chunks, so `--help`
// loads almost nothing and each command loads only what it uses. The bundle is built beside
// dist and swapped in with renames, so a concurrent build or run never sees half a bundle.
import { build } from "esbuild";
import { renameSync, rmSync } from "node:fs";

const cli = new URL("../packages/cli/", import.meta.url).pathname;
const dist = `${cli}dist`;
const staging = `${cli}.dist-${process.pid}`;
await build({
  entryPoints: { switchyard: `${cli}src/main.ts` },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
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

// Bundles the CLI into packages/cli/dist: an ESM entry plus lazily loaded chunks, so `--help`
// loads almost nothing and each command loads only what it uses.
import { build } from "esbuild";
import { rmSync } from "node:fs";

const outdir = new URL("../packages/cli/dist/", import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { switchyard: new URL("../packages/cli/src/main.ts", import.meta.url).pathname },
  outdir,
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

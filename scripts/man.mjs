// Writes packages/cli/switchyard.1, the man page, from the CLI's command and option tables
// (packages/cli/src/args/Man.ts): bundled in memory with esbuild and run once. `npm run build`
// runs it, so the page shipped with the package always matches the binary built with it.
import { build } from "esbuild";
import { readFileSync, renameSync, writeFileSync } from "node:fs";

const cli = new URL("../packages/cli/", import.meta.url).pathname;
const bundled = await build({
  entryPoints: [`${cli}src/args/Man.ts`],
  bundle: true,
  write: false,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
const Man = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString("base64")}`);
const { version } = JSON.parse(readFileSync(`${cli}package.json`, "utf8"));
const page = `${cli}switchyard.1`;
// Written beside and renamed over, so a reader never sees half a page.
writeFileSync(`${page}.${process.pid}`, Man.page(version));
renameSync(`${page}.${process.pid}`, page);

/**
 * `switchyard snapshot check ID [--identity FILE]`: recompute every member's size and SHA-256;
 * with an identity (the option, else `snapshots.identity`), also decrypt every member and read
 * its archive through. Damaged is exit 8, an identity that does not open it exit 9.
 */
import * as path from "node:path";
import { Root, Snapshots } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Escape from "../render/Escape.js";

/** `--identity FILE` as a host path, or null when it is not given. */
export const identityGiven = (ctx: CommandContext): string | null => {
  const given = Args.option(ctx.args, "identity");
  return given === undefined ? null : path.resolve(given);
};

/** The identity file: `--identity FILE` as given on the command line, else the config's (inside the root). */
export const identityOf = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const given = identityGiven(ctx);
    if (given !== null) return given;
    const config = yield* Snapshots.SnapshotConfig.read(ctx.root);
    return config.identity === null ? null : Root.host(ctx.root, config.identity);
  });

export const run = (ctx: CommandContext, id: string) =>
  Effect.gen(function* () {
    const identity = yield* identityOf(ctx);
    const report = yield* Snapshots.Check.check(ctx.root, id, identity);
    const meta = yield* Snapshots.Catalogue.read(ctx.root, id);
    const what = `${report.members} member${report.members === 1 ? "" : "s"}, ${report.bytes} bytes`;
    const line = meta.encrypted
      ? report.decrypted
        ? `snapshot ${id} is whole: ${what}, every hash matches and the identity decrypts it`
        : `snapshot ${id} is whole: ${what}, every hash matches (encrypted; give --identity FILE to check that it decrypts)`
      : `snapshot ${id} is whole: ${what}, every hash matches (stored in clear)`;
    process.stdout.write(`${Escape.line(line)}\n`);
  });

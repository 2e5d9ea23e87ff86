/**
 * The line `list` and `describe` end with when some snapshots of services' data are stored in clear
 * (no `snapshots.recipients`), so nobody keeps unencrypted copies of a database without knowing.
 */
import { Snapshots } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";

export const inClear = (ctx: CommandContext) =>
  Snapshots.Catalogue.list(ctx.root).pipe(
    Effect.map((c) => {
      const clear = c.snapshots.filter((s) => !s.encrypted).length;
      if (clear === 0) return "";
      const noun = clear === 1 ? "snapshot of a service's data is" : "snapshots of services' data are";
      return `note: ${clear} ${noun} stored in clear ('switchyard snapshot list'); set snapshots.recipients to encrypt new ones\n`;
    }),
    // A notice, not a check: an unreadable catalogue is for `snapshot list` to report.
    Effect.orElseSucceed(() => ""),
  );

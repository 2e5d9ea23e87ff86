/**
 * `switchyard snapshot ACTION …`: the snapshots of services' state. Each action is its own module;
 * this one only picks it (the parser has checked the action and its arguments); save and restore
 * are the plan operations of `apply`.
 */
import { Effect } from "effect";
import { SNAPSHOT_ACTIONS } from "../args/Commands.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as snapshotCheck from "./snapshotCheck.js";
import * as snapshotForget from "./snapshotForget.js";
import * as snapshotList from "./snapshotList.js";
import * as apply from "./apply.js";

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const action = SNAPSHOT_ACTIONS.find((a) => a === ctx.args.positional[1]);
    const id = ctx.args.positional[2] ?? "";
    switch (action) {
      case "list":
        return yield* snapshotList.run(ctx);
      // Saving and restoring are plans like any switch: `apply snapshot save|restore …`, shown and asked first.
      case "save":
      case "restore":
        return yield* apply.run({ ...ctx, args: { ...ctx.args, positional: ["apply", ...ctx.args.positional] } });
      case "check":
        return yield* snapshotCheck.run(ctx, id);
      case "forget":
        return yield* snapshotForget.run(ctx, id);
      case undefined:
        return yield* Failure.usage("snapshot", `snapshot takes one ACTION: ${SNAPSHOT_ACTIONS.join(", ")}`);
    }
  });

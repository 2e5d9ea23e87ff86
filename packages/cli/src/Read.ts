/**
 * The read-only commands (list, describe, diff) with the live ports, bundled on their own
 * so that they load neither the plan codecs nor `Apply`: their settings come from the config file
 * only, and the check for an interrupted apply (which decodes the journal's plan) runs from the
 * launch bundle only when there is a journal at all.
 */
import { FileSystem, JournalPaths } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "./args/Args.js";
import * as describe from "./commands/describe.js";
import * as diff from "./commands/diff.js";
import * as list from "./commands/list.js";
import * as Context from "./Context.js";
import { type Machinery, runCommand } from "./Run.js";

const commands = { list, describe, diff } as const satisfies Record<Args.ReadOnly, unknown>;

const machinery: Machinery = {
  settings: Context.configured,
  pendingJournal: (root, command) =>
    Effect.gen(function* () {
      const fs = yield* FileSystem;
      // Anything but a clear absence (a journal, or an error reading the directory) goes to the full check.
      const present = yield* fs.lstat(JournalPaths.directory(root)).pipe(Effect.match({ onFailure: (e) => e.reason !== "NotFound", onSuccess: () => true }));
      if (!present) return;
      const launch = yield* Effect.promise(() => import("./Launch.js"));
      yield* launch.machinery.pendingJournal(root, command);
    }),
};

export const launch = (args: Args.Parsed): Promise<number> =>
  Args.isReadOnly(args.command) ? runCommand(args, commands[args.command].run, machinery) : Promise.reject(new Error(`${args.command} runs from the launch bundle`));

/**
 * Everything a command needs beyond parsing its command line: the live ports (via `Run`) and the
 * commands that change the machine or plan a change. The entry point loads this module only once
 * it knows such a command is to run, so `--help`, `--version`, completion, usage errors and the
 * read-only commands (`Read`) load none of it. The build bundles it on its own with
 * static imports only, so that the bundle is tree-shaken as a whole (a dynamic import would keep
 * every export of every module it reaches, and initialise them all).
 */
import * as Args from "./args/Args.js";
import * as add from "./commands/add.js";
import * as apply from "./commands/apply.js";
import * as bless from "./commands/bless.js";
import * as confirm from "./commands/confirm.js";
import * as check from "./commands/check.js";
import * as choices from "./commands/choices.js";
import * as choose from "./commands/choose.js";
import * as migrations from "./commands/migrations.js";
import * as pin from "./commands/pin.js";
import * as plan from "./commands/plan.js";
import * as recover from "./commands/recover.js";
import * as restart from "./commands/restart.js";
import * as snapshot from "./commands/snapshot.js";
import * as status from "./commands/status.js";
import * as supervisor from "./commands/supervisor.js";
import * as Pending from "./Pending.js";
import { type Machinery, runCommand } from "./Run.js";
import * as SavedSettings from "./SavedSettings.js";
import * as Watcher from "./commands/Watcher.js";

const commands = { add, plan, apply, check, choose, choices, restart, recover, confirm, migrations, status, supervisor, bless, pin, unpin: pin, snapshot } as const satisfies Record<
  Exclude<Args.Runnable, "completion" | Args.ReadOnly>,
  unknown
>;

/** Settings from a saved plan or a journal, and the full check for an interrupted apply. */
export const machinery: Machinery = { settings: SavedSettings.settings, pendingJournal: Pending.journal };

export const launch = (args: Args.Parsed): Promise<number> =>
  args.command === "completion" || Args.isReadOnly(args.command)
    ? Promise.reject(new Error(`${args.command} runs without the launch bundle`))
    : runCommand(args, commands[args.command].run, machinery);

/** The internal watcher of a provisional switch (`Watcher`): not a command of the parser or the help. */
export const watch = (argv: ReadonlyArray<string>): Promise<number> => Watcher.main(argv);

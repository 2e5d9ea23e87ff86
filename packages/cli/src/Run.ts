/** Runs one command's Effect on the live ports and maps how it ended to an exit code. */
import { Cause, Effect, Exit, Option } from "effect";
import { type Clock, type FileSystem, Layout, type ProcessRunner, type Root, type ServiceManager } from "@switchyard/interpreter";
import * as Args from "./args/Args.js";
import * as Context from "./Context.js";
import { ExitCode } from "./ExitCode.js";
import * as Escape from "./render/Escape.js";
import * as Failure from "./render/Failure.js";
import * as Options from "./args/Options.js";

const SERVICE_COMMANDS: ReadonlySet<Args.Runnable> = new Set(["plan", "apply", "check", "restart", "recover", "status", "migrations", "snapshot"]);

/** A command: it may fail only with an error the report knows, and needs only the live ports. */
export type Command = (ctx: Context.CommandContext) => Effect.Effect<void, Failure.Known, FileSystem | Clock | ProcessRunner | ServiceManager>;

/**
 * What a command's run needs that the read-only commands get in a lighter form, so that they
 * load neither the plan codecs nor `Apply`: where the settings come from (`SavedSettings` reads
 * a saved plan or a journal; `Context.configured` only the config file) and the check for an
 * interrupted apply (`Pending`).
 */
export interface Machinery {
  readonly settings: (root: Root.Root, args: Args.Parsed) => Effect.Effect<Context.Configured, Failure.Known, FileSystem | Clock | ProcessRunner>;
  readonly pendingJournal: (root: Root.Root, command: Args.Runnable) => Effect.Effect<void, Failure.Known, FileSystem | Clock | ProcessRunner>;
}

const print = (r: Failure.Report): void => {
  const head = `switchyard${r.command === undefined ? "" : ` ${r.command}`}: `;
  process.stderr.write(r.lines.map((l, i) => `${i === 0 ? head : "  "}${Escape.line(l)}\n`).join(""));
};

export const runCommand = async (args: Args.Parsed, command: Command, machinery: Machinery): Promise<number> => {
  const root = Context.rootOf(args);
  const program = Effect.gen(function* () {
    // Settings first: a config or a plan that cannot be run with is refused before anything is touched.
    const { settings, services, saved } = yield* machinery.settings(root, args);
    yield* Layout.ensure(root, Options.waitLockSeconds(args));
    yield* machinery.pendingJournal(root, args.command);
    // The service manager may come from the config file or the saved plan, so it is provided
    // only now; commands that neither look at nor drive services work without a running supervisor.
    const kind = SERVICE_COMMANDS.has(args.command) ? settings.serviceManager : "none";
    yield* Context.withServices(root, kind, services, command({ root, settings, services, saved, args }));
  });
  const exit = await Effect.runPromiseExit(Context.withBasePorts(root, program));
  if (Exit.isSuccess(exit)) return ExitCode.Ok;
  const failure = Cause.failureOption(exit.cause);
  if (Option.isSome(failure)) {
    const r = Failure.report(failure.value);
    print(r);
    return r.exit;
  }
  // Only a defect is left: a bug, not a report.
  const defect = Cause.squash(exit.cause);
  process.stderr.write(`switchyard: internal error: ${Escape.line(defect instanceof Error ? defect.message : String(defect))}\n`);
  if (Args.flag(args, "debug")) process.stderr.write(`${Cause.pretty(exit.cause)}\n`);
  return ExitCode.Internal;
};

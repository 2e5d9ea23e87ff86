/** Runs one command's Effect on the live ports and maps how it ended to an exit code. */
import { Cause, Effect, Exit, Option } from "effect";
import * as Args from "./args/Args.js";
import { Apply, Layout, type Root } from "@switchyard/interpreter";
import * as Context from "./Context.js";
import * as Options from "./args/Options.js";
import { ExitCode } from "./ExitCode.js";
import * as Failure from "./render/Failure.js";

const SERVICE_COMMANDS: ReadonlySet<string> = new Set(["plan", "apply", "recover", "status"]);

type Command = (ctx: Context.CommandContext) => Effect.Effect<void, unknown, never> | Effect.Effect<void, unknown, unknown>;

/**
 * Commands that would act on a half-switched machine refuse; the others say it is half-switched.
 * A journal whose apply is still running (its lock holder is alive) is not an interruption: apply
 * and add then meet the lock, and plan and list read the machine as it is.
 */
const pendingJournal = (root: Root.Root, command: string) =>
  Effect.gen(function* () {
    if (command === "recover" || (yield* Apply.journalStatus(root)) !== "interrupted") return;
    const refusal = Apply.interrupted(root);
    if (["apply", "add", "plan"].includes(command)) return yield* Effect.fail(refusal);
    process.stderr.write(`switchyard: warning: ${refusal.message}\n`);
  });

export const runCommand = async (args: Args.Parsed, command: Command): Promise<number> => {
  const debug = Args.flag(args, "debug");
  try {
    const root = Context.rootOf(args);
    Context.checkRoot(root);
    Options.activationTimeoutMs(args);
    Options.waitLockSeconds(args);
    const program = Effect.gen(function* () {
      yield* Layout.ensure(root, Options.waitLockSeconds(args));
      yield* pendingJournal(root, String(args.positional[0]));
      const { settings, services, saved } = yield* Context.settings(root, args);
      // The service manager may come from the config file or the saved plan, so its layer is built
      // only now; commands that neither look at nor drive services work without a running supervisor.
      const kind = SERVICE_COMMANDS.has(String(args.positional[0])) ? settings.serviceManager : "none";
      const run = command({ root, settings, services, saved, args }) as Effect.Effect<void, unknown, never>;
      yield* run.pipe(Effect.provide(Context.serviceLayer(root, kind, services)));
    }).pipe(Effect.provide(Context.baseLayer()));
    const exit = await Effect.runPromiseExit(program as Effect.Effect<void, unknown, never>);
    if (Exit.isSuccess(exit)) return ExitCode.Ok;
    const failure = Cause.failureOption(exit.cause);
    if (Option.isSome(failure)) {
      const r = Failure.report(failure.value as Parameters<typeof Failure.report>[0]);
      process.stderr.write(r.lines.map((l, i) => (i === 0 ? `switchyard: ${l}\n` : `  ${l}\n`)).join(""));
      return r.exit;
    }
    const defect = Cause.squash(exit.cause);
    if (defect instanceof Args.UsageError) {
      process.stderr.write(`switchyard: ${defect.message}\n`);
      return ExitCode.Invalid;
    }
    process.stderr.write(`switchyard: internal error: ${defect instanceof Error ? defect.message : String(defect)}\n`);
    if (debug) process.stderr.write(`${Cause.pretty(exit.cause)}\n`);
    return 70;
  } catch (e) {
    if (e instanceof Args.UsageError) {
      process.stderr.write(`switchyard: ${e.message}\n`);
      return ExitCode.Invalid;
    }
    throw e;
  }
};

/**
 * The `switchyard` entry point: parse the command line, load the command lazily (so `--help` stays
 * fast), run it on the live ports, and turn any failure into one line and a documented exit code.
 * Stack traces only with --debug.
 */
import * as Args from "./args/Args.js";
import { ExitCode } from "./ExitCode.js";
import { usage } from "./args/Help.js";

const VERSION = "0.1.0";

const commands = {
  list: () => import("./commands/list.js"),
  describe: () => import("./commands/describe.js"),
  add: () => import("./commands/add.js"),
  plan: () => import("./commands/plan.js"),
  apply: () => import("./commands/apply.js"),
  recover: () => import("./commands/recover.js"),
  status: () => import("./commands/status.js"),
  supervisor: () => import("./commands/supervisor.js"),
  bless: () => import("./commands/bless.js"),
  pin: () => import("./commands/pin.js"),
  unpin: () => import("./commands/pin.js"),
} as const;

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  let args: Args.Parsed;
  try {
    args = Args.parse(argv);
  } catch (e) {
    process.stderr.write(`switchyard: ${(e as Error).message}\n`);
    return ExitCode.Invalid;
  }
  if (Args.flag(args, "version")) {
    process.stdout.write(`switchyard ${VERSION}\n`);
    return ExitCode.Ok;
  }
  const name = args.positional[0];
  if (Args.flag(args, "help") || name === "help") {
    process.stdout.write(usage);
    return ExitCode.Ok;
  }
  if (name === undefined) {
    process.stderr.write("switchyard: missing command; see 'switchyard --help'\n");
    return ExitCode.Invalid;
  }
  if (!(name in commands)) {
    process.stderr.write(`switchyard: unknown command '${name}'; see 'switchyard --help'\n`);
    return ExitCode.Invalid;
  }
  const { runCommand } = await import("./Run.js");
  const command = await commands[name as keyof typeof commands]();
  return runCommand(args, command.run);
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`switchyard: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.argv.includes("--debug") && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 70;
  },
);

/**
 * The `switchyard` entry point: parse the command line, answer help, version and usage errors
 * without loading anything else (so they stay fast), then load the command lazily, run it on the
 * live ports, and turn any failure into one line and a documented exit code.
 */
import * as Args from "./args/Args.js";
import * as BrokenPipe from "./BrokenPipe.js";
import * as Help from "./args/Help.js";
import * as HostPaths from "./args/HostPaths.js";
import { ExitCode } from "./ExitCode.js";
import { version } from "../package.json";

const refuse = (command: string | null, message: string): number => {
  process.stderr.write(`switchyard${command === null ? "" : ` ${command}`}: ${message}\n`);
  return ExitCode.Invalid;
};

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  // The watcher `apply --confirm-within` starts: internal, so it is not in the parser's tables.
  if (argv[0] === "confirm-watch") return (await import("./Launch.js")).watch(argv.slice(1));
  const parsed = Args.parse(argv);
  switch (parsed._tag) {
    case "Version":
      process.stdout.write(`switchyard ${version}\n`);
      return ExitCode.Ok;
    case "Help":
      process.stdout.write(parsed.command === null ? Help.overview(version) : Help.command(parsed.command));
      return ExitCode.Ok;
    case "Invalid":
      return refuse(parsed.command, parsed.message);
    case "Run": {
      const problem = HostPaths.problem(parsed.args);
      if (problem !== null) return refuse(null, problem);
      // Completion runs on every TAB: it prints what it knows at once, without the machinery of the others.
      if (parsed.args.command === "completion") return (await import("./commands/completion.js")).standalone(parsed.args);
      // The read-only commands load a bundle without the plan codecs and the machinery of a switch.
      if (Args.isReadOnly(parsed.args.command)) return (await import("./Read.js")).launch(parsed.args);
      const { launch } = await import("./Launch.js");
      return launch(parsed.args);
    }
  }
};

BrokenPipe.ignore();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`switchyard: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.argv.includes("--debug") && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = ExitCode.Internal;
  },
);

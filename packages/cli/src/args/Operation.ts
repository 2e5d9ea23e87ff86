/** Reads OPERATION (`switch SPEC`, `rollback`, `delete [PATTERN]`) and the mode from the command line. */
import type { Plan } from "@switchyard/model";
import * as Args from "./Args.js";

export const parse = (args: Args.Parsed, command: string): Plan.Operation => {
  const [, name, arg, extra] = args.positional;
  const usage = `usage: switchyard ${command} switch SPEC | rollback | delete [PATTERN]`;
  switch (name) {
    case "switch":
      if (arg === undefined || extra !== undefined) throw new Args.UsageError(`${usage} (switch takes one SPEC: N, +K or -K)`);
      return { _tag: "Switch", spec: arg };
    case "rollback":
      if (arg !== undefined) throw new Args.UsageError(`${usage} (rollback takes no argument)`);
      return { _tag: "Rollback" };
    case "delete":
      if (extra !== undefined) throw new Args.UsageError(`${usage} (delete takes at most one PATTERN)`);
      return { _tag: "Delete", pattern: arg ?? null };
    case undefined:
      throw new Args.UsageError(`${usage}`);
    default:
      throw new Args.UsageError(`unknown operation '${name}'; ${usage}`);
  }
};

export const mode = (args: Args.Parsed): Plan.Mode => {
  const given = Args.oneOf(args, "mode", ["switch", "boot", "test", "try"] as const);
  if (Args.option(args, "try") === undefined) return given ?? "switch";
  if (given !== undefined && given !== "try") throw new Args.UsageError(`--try N is a trial boot; it does not go with --mode ${given}`);
  return "try";
};

/** `--try N`: how many boots the trial generation gets before the default takes over (default 1). */
export const attempts = (args: Args.Parsed): number => {
  const given = Args.option(args, "try");
  if (given === undefined) return 1;
  if (!/^[1-9]$/.test(given)) throw new Args.UsageError(`--try takes a number of boot attempts from 1 to 9, not '${given}'`);
  return Number(given);
};

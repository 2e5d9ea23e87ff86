/** Reads OPERATION (`switch SPEC`, `rollback`, `delete [PATTERN]`) and the mode from the command line. */
import { type Plan, Request } from "@switchyard/model";
import * as Args from "./Args.js";

export const parse = (args: Args.Parsed, command: string): Request.Between => {
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

export const mode = (args: Args.Parsed): Plan.Mode => Args.oneOf(args, "mode", Request.modes) ?? "switch";

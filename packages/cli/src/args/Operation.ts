/**
 * OPERATION on the command line of `plan` and `apply`: `switch SPEC`, `rollback` or
 * `delete [PATTERN]`. Checked when the command line is parsed, so a malformed one is refused
 * before anything is read; the commands then read it again, knowing it is well formed.
 */
import type { Plan, Request } from "@switchyard/model";
import * as Choices from "./Choices.js";
import * as Suggest from "./Suggest.js";

export const NAMES = ["switch", "rollback", "delete", "snapshot"] as const;
export const SYNOPSIS = "switch SPEC | rollback | delete [PATTERN] | snapshot save [SERVICE...] | snapshot restore ID";

export type Read = { readonly _tag: "Operation"; readonly operation: Request.Between } | { readonly _tag: "Invalid"; readonly message: string };

const invalid = (message: string): Read => ({ _tag: "Invalid", message });

/** The words after the command name. */
export const read = (words: ReadonlyArray<string>): Read => {
  const [name, arg, extra] = words;
  switch (name) {
    case "switch":
      return arg === undefined || extra !== undefined ? invalid("switch takes one SPEC: N, +K or -K") : { _tag: "Operation", operation: { _tag: "Switch", spec: arg } };
    case "rollback":
      return arg !== undefined ? invalid("rollback takes no argument") : { _tag: "Operation", operation: { _tag: "Rollback" } };
    case "delete":
      return extra !== undefined ? invalid("delete takes at most one PATTERN") : { _tag: "Operation", operation: { _tag: "Delete", pattern: arg ?? null } };
    case "snapshot":
      if (arg === "save") return { _tag: "Operation", operation: { _tag: "SnapshotSave", services: words.slice(2) } };
      if (arg === "restore") return words.length === 3 && extra !== undefined ? { _tag: "Operation", operation: { _tag: "SnapshotRestore", id: extra } } : invalid("snapshot restore takes one snapshot ID; see 'switchyard snapshot list'");
      return invalid("snapshot takes save [SERVICE...] or restore ID");
    case undefined:
      return invalid(`OPERATION is missing: ${SYNOPSIS}`);
    default: {
      const near = Suggest.closest(name, NAMES);
      return invalid(near === null ? `unknown operation '${name}'; give ${SYNOPSIS}` : `unknown operation '${name}'; did you mean '${near}'?`);
    }
  }
};

/** The operation of a parsed `plan` or `apply` command line. */
export const parse = (args: { readonly positional: ReadonlyArray<string> }): Read => read(args.positional.slice(1));

type Options = { readonly options: ReadonlyMap<string, string | true> };

/** `--mode`; `try` when `--try N` is given (the parser refused it with another mode); else `switch`. */
export const mode = (args: Options): Plan.Mode => {
  const given = args.options.get("mode");
  if (typeof args.options.get("try") === "string") return "try";
  return Choices.find(Choices.mode, typeof given === "string" ? given : undefined) ?? "switch";
};

/** `--try N`: how many boots the trial generation gets before the default takes over (default 1). */
export const attempts = (args: Options): number => {
  const given = args.options.get("try");
  return typeof given === "string" ? Number(given) : 1;
};

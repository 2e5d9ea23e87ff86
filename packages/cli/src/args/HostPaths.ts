/**
 * The host paths of the command line, checked before anything runs: `--root` must be a directory,
 * and a file the command will write (`--out`) must go into a directory that exists. switchyard never
 * creates directories outside the root for the user's own files, and refuses instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as Options from "./Options.js";
import type { Parsed } from "./Args.js";

const kindOf = (file: string): "directory" | "other" | "missing" => {
  try {
    return fs.statSync(file).isDirectory() ? "directory" : "other";
  } catch {
    return "missing";
  }
};

const rootProblem = (given: string): string | null => {
  const dir = path.resolve(given);
  const kind = kindOf(dir);
  return kind === "directory" ? null : `--root ${dir}: ${kind === "missing" ? "no such directory" : "not a directory"}`;
};

const outputProblem = (name: string, given: string): string | null => {
  const file = path.resolve(given);
  const parent = path.dirname(file);
  const kind = kindOf(parent);
  if (kind !== "directory") return `--${name} ${given}: ${kind === "missing" ? `no such directory ${parent}` : `${parent} is not a directory`}; create it first (switchyard does not)`;
  return kindOf(file) === "directory" ? `--${name} ${given}: is a directory; give a file name` : null;
};

/** The first problem with the host paths given, or null. */
export const problem = (args: Parsed): string | null => {
  for (const [name, value] of args.options) {
    if (typeof value !== "string") continue;
    const spec = Options.byName(name);
    const found = name === "root" ? rootProblem(value) : spec?.kind._tag === "Text" && spec.kind.output === true ? outputProblem(name, value) : null;
    if (found !== null) return found;
  }
  return null;
};

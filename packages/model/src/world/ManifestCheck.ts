/**
 * Every problem of a manifest at once, each with its field path and, where the text shows it, its
 * line and column: what `switchyard add` prints when it refuses a system directory, so one round of
 * fixes is enough. A syntax error stops the reading (nothing after it can be trusted); otherwise
 * every decoding error is listed, and once the fields decode, the checks of the whole (unique
 * names, requirements, cycles, paths) add theirs.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as InRootPath from "../paths/InRootPath.js";
import * as JsonLocate from "../codec/JsonLocate.js";
import * as JsonText from "../codec/JsonText.js";
import { allErrors } from "../internal/Report.js";
import * as Manifest from "./Manifest.js";

export interface Problem {
  readonly field: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

const located = (text: string, field: string, message: string): Problem => {
  const at = JsonLocate.locate(text, field);
  return { field, line: at?.line ?? null, column: at?.column ?? null, message };
};

const byPosition = (a: Problem, b: Problem): number => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);

/** The problems of the manifest `text` of `system`, in the order they appear in the file; empty when it is valid. */
export const problems = (text: string, system: InRootPath.InRootPath): ReadonlyArray<Problem> => {
  const json = JsonText.parse(text);
  if (E.isLeft(json)) return [{ field: "(syntax)", line: json.left.line, column: json.left.column, message: json.left.message }];
  const input = Manifest.ManifestInput.decode(json.right);
  if (E.isLeft(input)) return allErrors(input.left).map((e) => located(text, e.field, e.message)).sort(byPosition);
  const whole = Manifest.decode(json.right, system, "");
  return E.isLeft(whole) ? [located(text, whole.left.field, whole.left.message)] : [];
};

/** "manifest.json:7:9: services[0].restartIfChanges: unknown field …" */
export const describe = (file: string, p: Problem): string =>
  p.line === null ? `${file}: ${p.field}: ${p.message}` : p.field === "(syntax)" ? `${file}:${p.line}:${p.column}: ${p.message}` : `${file}:${p.line}:${p.column}: ${p.field}: ${p.message}`;

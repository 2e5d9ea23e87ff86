/**
 * Turns io-ts validation errors into one line a person can act on: the field path (as written in the
 * JSON) and what was expected there. Only the first error is reported; fixing it reveals the next.
 */
import type * as t from "io-ts";

export const fieldPath = (context: t.Context): string => {
  let path = "";
  for (let i = 1; i < context.length; i++) {
    const entry = context[i] as t.ContextEntry;
    // Union and intersection members are validated against the very value of their parent; their
    // keys ("0", "1") are member positions, not array indices, and do not belong in the path.
    if (entry.key === "" || entry.actual === (context[i - 1] as t.ContextEntry).actual) continue;
    path += /^[0-9]+$/.test(entry.key) && Array.isArray((context[i - 1] as t.ContextEntry).actual) ? `[${entry.key}]` : path === "" ? entry.key : `.${entry.key}`;
  }
  return path === "" ? "(top level)" : path;
};

const describeActual = (actual: unknown): string => {
  if (actual === undefined) return "missing";
  if (actual === null) return "null";
  if (Array.isArray(actual)) return "an array";
  if (typeof actual === "object") return "an object";
  const shown = JSON.stringify(actual);
  return shown.length > 40 ? `${typeof actual} ${shown.slice(0, 37)}...` : `${typeof actual} ${shown}`;
};

export const firstError = (errors: t.Errors): { readonly field: string; readonly message: string } => {
  // Prefer the deepest path: union failures report every branch, the deepest one is the real culprit.
  const sorted = [...errors].sort((a, b) => b.context.length - a.context.length);
  const error = sorted[0];
  if (error === undefined) return { field: "(top level)", message: "invalid" };
  const field = fieldPath(error.context);
  if (error.message !== undefined) return { field, message: error.message };
  const expected = error.context[error.context.length - 1]?.type.name ?? "a valid value";
  return { field, message: `expected ${expected}, found ${describeActual(error.value)}` };
};

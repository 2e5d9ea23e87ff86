/**
 * Turns io-ts validation errors into one line a person can act on: the field path (as written in the
 * JSON) and what was expected there: the first error for a one-line report, or all of them for a
 * checker that lists every problem of a file at once.
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

const reportOf = (error: t.ValidationError): { readonly field: string; readonly message: string } => {
  const field = fieldPath(error.context);
  if (error.message !== undefined) return { field, message: error.message };
  const expected = error.context[error.context.length - 1]?.type.name ?? "a valid value";
  return { field, message: `expected ${expected}, found ${describeActual(error.value)}` };
};

export const firstError = (errors: t.Errors): { readonly field: string; readonly message: string } => {
  // Prefer the deepest path: union failures report every branch, the deepest one is the real culprit.
  const sorted = [...errors].sort((a, b) => b.context.length - a.context.length);
  const error = sorted[0];
  return error === undefined ? { field: "(top level)", message: "invalid" } : reportOf(error);
};

/** Whether `field` lies strictly inside `outer` (`services[0].name` inside `services[0]`). */
const inside = (field: string, outer: string): boolean =>
  field.length > outer.length && field.startsWith(outer) && (field[outer.length] === "." || field[outer.length] === "[" || outer === "(top level)");

/**
 * Every error, one per field: the first message for a field, and none for a field that holds a
 * more precise one (a union's outer "expected …" next to the member that failed inside it).
 */
export const allErrors = (errors: t.Errors): ReadonlyArray<{ readonly field: string; readonly message: string }> => {
  const byField = new Map<string, string>();
  for (const error of errors) {
    const r = reportOf(error);
    // A listing names absent fields as such (a one-line report already reads "…, found missing").
    const message = error.value === undefined && !r.message.includes("missing") ? `missing; ${r.message}` : r.message;
    if (!byField.has(r.field)) byField.set(r.field, message);
  }
  const fields = [...byField.keys()];
  return fields.filter((f) => !fields.some((other) => inside(other, f))).map((field) => ({ field, message: byField.get(field) as string }));
};

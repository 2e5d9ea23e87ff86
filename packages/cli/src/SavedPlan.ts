/**
 * A plan as a document: the plan's own encoding plus a SHA-256 `checksum` of it, so a plan that was
 * edited after `switchyard plan` produced it is refused instead of carried out.
 */
import { createHash } from "node:crypto";
import { Plan } from "@switchyard/model";

/** JSON with object keys sorted, so the digest does not depend on key order. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k, v]) => k !== "checksum" && v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
};

const digest = (plan: Plan.Plan): string => `sha256:${createHash("sha256").update(canonical(Plan.encode(plan))).digest("hex")}`;

export const toDocument = (plan: Plan.Plan): unknown => ({ ...(Plan.encode(plan) as object), checksum: digest(plan) });

/** The plan in a saved document, or why it cannot be used. */
export const fromText = (text: string): { readonly _tag: "Right"; readonly plan: Plan.Plan } | { readonly _tag: "Left"; readonly message: string } => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { _tag: "Left", message: "not a switchyard plan (not valid JSON)" };
  }
  const decoded = Plan.decode(json);
  if (decoded._tag === "Left") return { _tag: "Left", message: `not a usable switchyard plan: ${decoded.left.field}: ${decoded.left.message}` };
  const checksum = (json as { checksum?: unknown }).checksum;
  if (typeof checksum !== "string") return { _tag: "Left", message: "the plan has no checksum; save plans with 'switchyard plan ... --out FILE'" };
  if (checksum !== digest(decoded.right)) {
    return { _tag: "Left", message: "the plan was modified after it was computed (checksum mismatch); compute it again with 'switchyard plan'" };
  }
  return { _tag: "Right", plan: decoded.right };
};

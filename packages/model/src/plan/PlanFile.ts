/**
 * A plan as a document (`plan --out`, `plan --json`, `apply --plan`): the envelope `format` and
 * `version`, the plan's own encoding, and a `checksum`: SHA-256 over the canonical JSON (RFC 8785
 * style) of the whole document except its own top-level `checksum` field. A document edited after
 * it was computed, at any depth, is refused; so is one of another format version. The checksum is
 * not a key: anyone can compute it again, which is why `apply --plan` also recomputes the plan
 * itself before it runs a saved one (see docs/plan-format.md).
 */
import * as E from "fp-ts/lib/Either.js";
import * as Canonical from "../internal/Canonical.js";
import * as Decode from "../codec/Decode.js";
import * as Plan from "./Plan.js";
import * as Sha256 from "../internal/Sha256.js";

export const FORMAT = "switchyard-plan";
/** 3: plans carry their checks (items, choices), migrations, state (statePolicy, state, snapshots) and pre-switch hook. */
export const VERSION = 3;

type Json = { readonly [key: string]: unknown };

/** `sha256:` and the digest of the document without its top-level `checksum`. */
export const checksumOf = (document: Json): string => {
  const { checksum: _, ...rest } = document;
  return `sha256:${Sha256.ofText(Canonical.stringify(rest))}`;
};

export const toDocument = (plan: Plan.Plan): Json => {
  const body: Json = { format: FORMAT, version: VERSION, ...(Plan.encode(plan) as Json) };
  return { ...body, checksum: checksumOf(body) };
};

/** The document as saved: indented, one trailing newline. */
export const toText = (plan: Plan.Plan): string => `${JSON.stringify(toDocument(plan), null, 2)}\n`;

const refuse = (source: string, field: string, message: string): E.Either<Decode.DecodeFailure, never> =>
  E.left({ _tag: "DecodeFailure", source, field, line: null, column: null, message });

/**
 * The plan in a saved document, or why it cannot be used. Checked in this order, so each refusal
 * says the most useful thing: JSON syntax (line and column), the envelope, the version, the
 * checksum, and only then the plan's fields.
 */
export const fromText = (text: string, source: string): E.Either<Decode.DecodeFailure, Plan.Plan> => {
  const parsed = Decode.json(text, source);
  if (E.isLeft(parsed)) return parsed;
  const json = parsed.right;
  if (typeof json !== "object" || json === null || Array.isArray(json) || (json as Json).format !== FORMAT) {
    return refuse(source, "format", `not a switchyard plan (no "format": "${FORMAT}"); save plans with 'switchyard plan ... --out FILE'`);
  }
  const document = json as Json;
  if (document.version !== VERSION) {
    const found = typeof document.version === "number" ? `version ${document.version}` : "no version";
    return refuse(source, "version", `the plan has format ${found}, but this switchyard reads version ${VERSION}; compute the plan again with 'switchyard plan'`);
  }
  if (typeof document.checksum !== "string") return refuse(source, "checksum", "the plan has no checksum; save plans with 'switchyard plan ... --out FILE'");
  if (document.checksum !== checksumOf(document)) {
    return refuse(source, "checksum", "the plan was modified after it was computed (checksum mismatch); compute it again with 'switchyard plan'");
  }
  const { format: _f, version: _v, checksum: _c, ...body } = document;
  return Decode.value(Plan.Plan, body, source);
};

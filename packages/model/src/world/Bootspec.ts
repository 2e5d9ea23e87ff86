/**
 * A NixOS system generation's bootspec (`boot.json`, RFC 0125, `org.nixos.bootspec.v1`): what
 * the boot menu needs of a generation built by NixOS. The entry boots `init=<init>` and the
 * kernel parameters, as NixOS's own loaders write it. Extension namespaces are ignored; a document
 * without the v1 namespace (a future version) is refused, naming what it has instead.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as Decode from "../codec/Decode.js";
import type * as Manifest from "./Manifest.js";

export const FILE_NAME = "boot.json";
export const V1 = "org.nixos.bootspec.v1";
const SPECIALISATION = "org.nixos.specialisation.v1";
/** NixOS activates with `switch-to-configuration test`: switchyard, not NixOS, writes the boot menu. */
export const SWITCH = "bin/switch-to-configuration";

const NonEmpty = new t.Type<string, string, unknown>(
  "non-empty string",
  (u): u is string => typeof u === "string" && u !== "",
  (u, c) => (typeof u === "string" && u !== "" ? t.success(u) : t.failure(u, c, "expected a non-empty string")),
  (a) => a,
);

const V1Document = t.intersection(
  [
    t.type({ system: t.string, kernel: NonEmpty, kernelParams: t.array(t.string), label: NonEmpty, toplevel: NonEmpty, init: NonEmpty }),
    t.partial({ initrd: NonEmpty, initrdSecrets: t.string }),
  ],
  V1,
);

export const Document = t.intersection([t.type({ [V1]: V1Document }), t.partial({ [SPECIALISATION]: t.record(t.string, t.unknown) })], "bootspec");

export interface Bootspec {
  readonly header: Manifest.Header;
  /** Names of the specialisations the document lists. */
  readonly specialisations: ReadonlyArray<string>;
}

/** `hasSwitch`: whether the toplevel has `bin/switch-to-configuration` (its activation). */
export const decode = (text: string, file: string, hasSwitch: boolean): E.Either<Manifest.ManifestError, Bootspec> => {
  const fail = (field: string, message: string) => E.left<Manifest.ManifestError, never>({ _tag: "ManifestError", file, field, message });
  const json = Decode.json(text, file);
  if (E.isLeft(json)) return fail("(file)", `not valid JSON at line ${json.left.line}, column ${json.left.column}: ${json.left.message}`);
  const j = json.right;
  if (typeof j !== "object" || j === null || Array.isArray(j)) return fail("(top level)", "expected a bootspec object");
  if (!(V1 in j)) {
    const others = Object.keys(j).filter((k) => k.startsWith("org.nixos.bootspec."));
    return fail(V1, others.length > 0 ? `unknown bootspec version ${others.join(", ")}: this switchyard reads ${V1}; upgrade switchyard` : `missing: this is not a NixOS bootspec ${V1} document`);
  }
  const decoded = Decode.value(Document, j, file);
  if (E.isLeft(decoded)) return fail(decoded.left.field, decoded.left.message);
  const v1 = decoded.right[V1];
  return E.right({
    header: {
      label: v1.label,
      boot: { kernel: v1.kernel, initrd: v1.initrd ?? null, params: [`init=${v1.init}`, ...v1.kernelParams] },
      activate: hasSwitch ? `${v1.toplevel}/${SWITCH}` : null,
    },
    specialisations: Object.keys(decoded.right[SPECIALISATION] ?? {}).sort(),
  });
};

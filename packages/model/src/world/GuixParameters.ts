/**
 * A Guix system generation's `parameters` file (`boot-parameters`, Guix's gnu/system.scm): what the
 * boot menu needs of a generation built by Guix. The first four fields are matched by position
 * (version, label, root-device, kernel), the others by key, as Guix reads them. Version 0 uses the
 * legacy kernel arguments `--root`/`--system`/`--load`, version 1 `root=`/`gnu.system=`/`gnu.load=`;
 * a newer version is refused (this switchyard cannot know what it means).
 */
import * as E from "fp-ts/lib/Either.js";
import type { InRootPath } from "../paths/InRootPath.js";
import type * as Manifest from "./Manifest.js";
import * as Sexp from "./Sexp.js";

export const FILE_NAME = "parameters";
export const MAX_VERSION = 1;

type Result<A> = E.Either<Manifest.ManifestError, A>;

export const decode = (text: string, system: InRootPath, file: string, activate: string | null): Result<Manifest.Header> => {
  const fail = (field: string, message: string): Result<never> => E.left({ _tag: "ManifestError", file, field, message });
  const parsed = Sexp.read(text);
  if (E.isLeft(parsed)) return fail("(file)", `not a boot-parameters s-expression: ${parsed.left.message} at line ${parsed.left.line}, column ${parsed.left.column}`);
  const top = parsed.right;
  if (top._tag !== "List" || !isSymbol(top.items[0], "boot-parameters")) return fail("(file)", "not a Guix boot-parameters file: it must be one '(boot-parameters …)' expression");
  const positional = (index: number, key: string): Result<Sexp.Sexp> => {
    const field = top.items[index];
    if (field === undefined || field._tag !== "List" || !isSymbol(field.items[0], key) || field.items.length !== 2) {
      return fail(key, `expected (${key} …) as field ${index} of boot-parameters`);
    }
    return E.right(field.items[1] as Sexp.Sexp);
  };
  const byKey = new Map<string, ReadonlyArray<Sexp.Sexp>>();
  for (const item of top.items.slice(5)) if (item._tag === "List" && item.items[0]?._tag === "Symbol") byKey.set(item.items[0].name, item.items.slice(1));

  const version = positional(1, "version");
  if (E.isLeft(version)) return version;
  const v = version.right;
  if (v._tag !== "Number" || v.value < 0) return fail("version", "expected a version number");
  if (v.value > MAX_VERSION) return fail("version", `unrecognized boot parameters version ${v.value} (this switchyard reads 0 to ${MAX_VERSION}); upgrade switchyard`);
  const label = E.chain((s: Sexp.Sexp) => stringOr(s, fail("label", "expected a string")))(positional(2, "label"));
  const root = E.chain((s: Sexp.Sexp) => deviceString(s, fail))(positional(3, "root-device"));
  const kernel = E.chain((s: Sexp.Sexp) => stringOr(s, fail("kernel", "expected the kernel's file name, a string")))(positional(4, "kernel"));
  if (E.isLeft(label)) return label;
  if (E.isLeft(root)) return root;
  if (E.isLeft(kernel)) return kernel;

  const args = byKey.get("kernel-arguments")?.[0];
  let userArgs: ReadonlyArray<string> = [];
  if (args !== undefined) {
    if (args._tag !== "List" || !args.items.every((a) => a._tag === "String")) return fail("kernel-arguments", "expected a list of strings");
    userArgs = args.items.map((a) => (a as { value: string }).value);
  }
  const initrd = initrdOf(byKey.get("initrd")?.[0], fail);
  if (E.isLeft(initrd)) return initrd;
  const modern = v.value >= 1;
  const params = [
    `${modern ? "root=" : "--root="}${root.right}`,
    `${modern ? "gnu.system=" : "--system="}${system}`,
    `${modern ? "gnu.load=" : "--load="}${system}/boot`,
    ...userArgs,
  ];
  return E.right({ label: label.right, boot: { kernel: kernel.right, initrd: initrd.right, params }, activate });
};

const isSymbol = (s: Sexp.Sexp | undefined, name: string): boolean => s?._tag === "Symbol" && s.name === name;

const stringOr = (s: Sexp.Sexp, otherwise: Result<never>): Result<string> => (s._tag === "String" && s.value !== "" ? E.right(s.value) : otherwise);

/** `(initrd "/gnu/store/…")`, or the old `(initrd (string-append DIR FILE))`; absent: none. */
const initrdOf = (s: Sexp.Sexp | undefined, fail: (field: string, message: string) => Result<never>): Result<string | null> => {
  if (s === undefined || (s._tag === "Boolean" && !s.value)) return E.right(null);
  if (s._tag === "String") return E.right(s.value);
  if (s._tag === "List" && isSymbol(s.items[0], "string-append") && s.items.slice(1).every((p) => p._tag === "String")) {
    return E.right(s.items.slice(1).map((p) => (p as { value: string }).value).join(""));
  }
  return fail("initrd", "expected the initrd's file name, a string");
};

const hex = (bytes: ReadonlyArray<number>): string => bytes.map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * The root device as the `root=` argument names it: a device name or NFS spec as it is, a label
 * as its text, a UUID in DCE form (`1234abcd-…`, what Guix's initrd expects) or FAT form (`ABCD-1234`).
 */
const deviceString = (s: Sexp.Sexp, fail: (field: string, message: string) => Result<never>): Result<string> => {
  if (s._tag === "String" && s.value !== "") return E.right(s.value);
  if (s._tag === "List" && isSymbol(s.items[0], "file-system-label") && s.items[1]?._tag === "String") return E.right(s.items[1].value);
  if (s._tag === "List" && isSymbol(s.items[0], "uuid")) {
    const bytes = s.items.find((i): i is Extract<Sexp.Sexp, { _tag: "Bytes" }> => i._tag === "Bytes");
    if (bytes !== undefined && bytes.bytes.length === 16) {
      const h = hex(bytes.bytes);
      return E.right(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
    }
    if (bytes !== undefined && bytes.bytes.length === 4) {
      const h = hex([...bytes.bytes].reverse()).toUpperCase();
      return E.right(`${h.slice(0, 4)}-${h.slice(4)}`);
    }
    return fail("root-device", "expected a UUID of 16 bytes (or 4 for FAT)");
  }
  return fail("root-device", "expected a device name, (file-system-label \"…\") or (uuid TYPE #vu8(…))");
};

/**
 * Generations described by their own system: a NixOS bootspec (`boot.json`) and a Guix
 * `parameters` file, from documents shaped exactly like the ones those systems write (NixOS's
 * bootspec.nix; Guix's `operating-system-boot-parameters-file`, printed by `write` on one line),
 * into the kernel, initrd and parameters the boot menu writes; malformed or newer documents are
 * one error line naming the file.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Bootspec from "../../packages/model/src/world/Bootspec.js";
import * as GuixParameters from "../../packages/model/src/world/GuixParameters.js";
import * as Manifest from "../../packages/model/src/world/Manifest.js";
import * as Sexp from "../../packages/model/src/world/Sexp.js";
import { SYSTEM, TOPLEVEL, bootspec, parameters } from "../support/foreign-fixtures.js";

const errorOf = <A>(e: E.Either<Manifest.ManifestError, A>): string => {
  if (E.isRight(e)) throw new Error("expected an error");
  return Manifest.errorLine(e.left);
};

describe("NixOS bootspec", () => {
  it("boots init= and the kernel parameters, with switch-to-configuration as the activation", () => {
    const d = Bootspec.decode(bootspec(), `${TOPLEVEL}/boot.json`, true);
    expect(d).toEqual(
      E.right({
        header: {
          label: "NixOS 24.05.20240610.abcdef0 (Linux 6.6.32)",
          boot: {
            kernel: "/nix/store/1c4hz6pqx8z7fmi6ps5z2yp8b1jnq1lh-linux-6.6.32/bzImage",
            initrd: "/nix/store/7n0cg4jpb2dcn7hw2pskwqg2r2jy0n6g-initrd-linux-6.6.32/initrd",
            params: [`init=${TOPLEVEL}/init`, "loglevel=4", "net.ifnames=0"],
          },
          activate: `${TOPLEVEL}/bin/switch-to-configuration`,
        },
        specialisations: [],
      }),
    );
  });

  it("lists specialisations, takes no initrd as none, and no switch-to-configuration as no activation", () => {
    const doc = JSON.parse(bootspec()) as Record<string, Record<string, unknown>>;
    delete (doc["org.nixos.bootspec.v1"] as Record<string, unknown>).initrd;
    doc["org.nixos.specialisation.v1"] = { gaming: JSON.parse(bootspec()), "no-gui": JSON.parse(bootspec()) };
    const d = Bootspec.decode(JSON.stringify(doc), "boot.json", false);
    expect(E.isRight(d) && d.right).toMatchObject({ header: { boot: { initrd: null }, activate: null }, specialisations: ["gaming", "no-gui"] });
  });

  it("refuses another bootspec version, naming the file and what it has", () => {
    const v2 = bootspec().replace('"org.nixos.bootspec.v1"', '"org.nixos.bootspec.v2"');
    expect(errorOf(Bootspec.decode(v2, "/nix/store/x/boot.json", true))).toBe(
      "/nix/store/x/boot.json: org.nixos.bootspec.v1: unknown bootspec version org.nixos.bootspec.v2: this switchyard reads org.nixos.bootspec.v1; upgrade switchyard",
    );
    expect(errorOf(Bootspec.decode("{}", "b.json", true))).toBe("b.json: org.nixos.bootspec.v1: missing: this is not a NixOS bootspec org.nixos.bootspec.v1 document");
  });

  it("refuses malformed documents with the field or the line and column", () => {
    expect(errorOf(Bootspec.decode('{"org.nixos.bootspec.v1": ', "b.json", true))).toMatch(/^b\.json: \(file\): not valid JSON at line 1, column \d+: /);
    const noKernel = bootspec().replace('"kernel":', '"kernal":');
    expect(errorOf(Bootspec.decode(noKernel, "b.json", true))).toBe("b.json: org.nixos.bootspec.v1.kernel: expected a non-empty string");
    const badParams = bootspec().replace('["loglevel=4", "net.ifnames=0"]', '"loglevel=4"').replace(/\[\s*"loglevel=4",\s*"net.ifnames=0"\s*\]/, '"loglevel=4"');
    expect(errorOf(Bootspec.decode(badParams, "b.json", true))).toContain("b.json: org.nixos.bootspec.v1.kernelParams: ");
  });
});

describe("Guix parameters", () => {
  it("version 0: legacy --root/--system/--load before the user's arguments, the UUID in DCE form", () => {
    const d = GuixParameters.decode(parameters(0), SYSTEM, `${SYSTEM}/parameters`, `${SYSTEM}/activate`);
    expect(d).toEqual(
      E.right({
        label: "GNU with Linux-Libre 6.8.9",
        boot: {
          kernel: "/gnu/store/9xx0nlbyq7ihsnbnhhgp5gjrd2bxv0x7-linux-libre-6.8.9/bzImage",
          initrd: "/gnu/store/0kpz1s2q5w6kc8c0b0r1m0gk0dxrq3ni-combined-initrd/initrd.cpio.gz",
          params: ["--root=12345678-9abc-def0-1122-334455667788", `--system=${SYSTEM}`, `--load=${SYSTEM}/boot`, "quiet", "loglevel=3"],
        },
        activate: `${SYSTEM}/activate`,
      }),
    );
  });

  it("version 1: root=, gnu.system= and gnu.load=; labels, device names and FAT UUIDs; the old initrd form", () => {
    const params = (root: string, initrd?: string) => {
      const d = GuixParameters.decode(parameters(1, root, initrd), SYSTEM, "parameters", null);
      return E.isRight(d) ? d.right : d.left;
    };
    expect(params(`(file-system-label "my-root")`)).toMatchObject({ boot: { params: ["root=my-root", `gnu.system=${SYSTEM}`, `gnu.load=${SYSTEM}/boot`, "quiet", "loglevel=3"] }, activate: null });
    expect(params(`"/dev/sda2"`)).toMatchObject({ boot: { params: ["root=/dev/sda2", `gnu.system=${SYSTEM}`, `gnu.load=${SYSTEM}/boot`, "quiet", "loglevel=3"] } });
    expect(params("(uuid fat #vu8(205 171 52 18))")).toMatchObject({ boot: { params: ["root=1234-ABCD", `gnu.system=${SYSTEM}`, `gnu.load=${SYSTEM}/boot`, "quiet", "loglevel=3"] } });
    expect(params(`"/dev/sda2"`, `(initrd (string-append "/gnu/store/abc-raw-initrd" "/initrd.cpio.gz"))`)).toMatchObject({ boot: { initrd: "/gnu/store/abc-raw-initrd/initrd.cpio.gz" } });
    expect(params(`"/dev/sda2"`, "")).toMatchObject({ boot: { initrd: null } });
  });

  it("refuses a newer version and malformed files, naming the file", () => {
    expect(errorOf(GuixParameters.decode(parameters(2), SYSTEM, "/gnu/store/x-system/parameters", null))).toBe(
      "/gnu/store/x-system/parameters: version: unrecognized boot parameters version 2 (this switchyard reads 0 to 1); upgrade switchyard",
    );
    const bad = (text: string) => errorOf(GuixParameters.decode(text, SYSTEM, "P", null));
    expect(bad("(boot-parameters (version 0) (label \"x\"")).toBe("P: (file): not a boot-parameters s-expression: unclosed '(' at line 1, column 30");
    expect(bad("(operating-system)")).toBe("P: (file): not a Guix boot-parameters file: it must be one '(boot-parameters …)' expression");
    expect(bad('(boot-parameters (version 0) (root-device "/dev/sda") (label "x") (kernel "/k"))')).toBe("P: label: expected (label …) as field 2 of boot-parameters");
    expect(bad('(boot-parameters (version 0) (label "x") (root-device 7) (kernel "/k"))')).toContain("P: root-device: expected a device name");
    expect(bad(parameters(0).replace('("quiet" "loglevel=3")', '"quiet"'))).toBe("P: kernel-arguments: expected a list of strings");
    expect(bad(`${parameters(0)} (extra)`)).toBe("P: (file): not a boot-parameters s-expression: more than one expression in the file at line 2, column 2");
  });
});

describe("Sexp.read", () => {
  it("reads strings with Guile's escapes, symbols, numbers, booleans, bytevectors and comments", () => {
    expect(Sexp.read('; c\n(a "x\\"y\\n\\x41;" -3 #t #f #vu8(1 255) ())')).toEqual(
      E.right({
        _tag: "List",
        items: [
          { _tag: "Symbol", name: "a" },
          { _tag: "String", value: 'x"y\nA' },
          { _tag: "Number", value: -3 },
          { _tag: "Boolean", value: true },
          { _tag: "Boolean", value: false },
          { _tag: "Bytes", bytes: [1, 255] },
          { _tag: "List", items: [] },
        ],
      }),
    );
    expect(E.isLeft(Sexp.read('"open'))).toBe(true);
    expect(E.isLeft(Sexp.read("#vu8(256)"))).toBe(true);
  });
});

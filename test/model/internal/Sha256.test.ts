import * as crypto from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Sha256 from "../../../packages/model/src/internal/Sha256.js";
import * as Utf8 from "../../../packages/model/src/internal/Utf8.js";

const node = (data: Uint8Array | string): string => crypto.createHash("sha256").update(data).digest("hex");

describe("SHA-256", () => {
  it("matches the FIPS 180-4 examples", () => {
    expect(Sha256.ofText("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(Sha256.ofText("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("agrees with node:crypto on any bytes, across block boundaries (property)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(Sha256.ofBytes(bytes)).toBe(node(bytes));
      }), { numRuns: 500 });
  });

  it("agrees with node:crypto on any string, lone surrogates included (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 3 }), (a, b) => {
        const s = `${a}${b}${a}`;
        expect(Sha256.ofText(s)).toBe(node(s));
        expect(Utf8.byteLength(s)).toBe(Buffer.byteLength(s, "utf8"));
      }),
      { numRuns: 500 },
    );
  });

  it("agrees on a large input", () => {
    const big = "grub menuentry ünïcødé 🚀\n".repeat(40_000);
    expect(Sha256.ofText(big)).toBe(node(big));
  });
});

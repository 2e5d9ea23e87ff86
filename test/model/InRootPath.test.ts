import * as path from "node:path";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";

const segment = fc.constantFrom("a", "b", "store", ".", "..", "", "x.y", "...", ".hidden");
const relativePath = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join("/"));
const absolutePath = relativePath.map((p) => `/${p}`);
const dir = fc.array(fc.constantFrom("a", "b", "store", "x.y"), { maxLength: 4 }).map((s) => InRootPath.unsafe(`/${s.join("/")}`));

/** What the kernel would do inside a chroot, except that climbing above the root is an error. */
const reference = (from: string, target: string): E.Either<string, string> => {
  const parts = (target.startsWith("/") ? target : `${from}/${target}`).split("/");
  const out: Array<string> = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length === 0) return E.left("climbs");
      out.pop();
    } else out.push(p);
  }
  return E.right(`/${out.join("/")}`);
};

describe("in-root paths", () => {
  it("resolve like a chroot, refusing to climb above the root", () => {
    fc.assert(
      fc.property(dir, fc.oneof(relativePath, absolutePath), (d, target) => {
        const got = InRootPath.resolve(d, target);
        const want = reference(d, target);
        expect(E.isRight(got)).toBe(E.isRight(want));
        if (E.isRight(got) && E.isRight(want)) {
          expect(got.right).toBe(want.right);
          expect(got.right).toBe(path.posix.normalize(got.right));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("computes relative paths that resolve back", () => {
    fc.assert(
      fc.property(dir, dir, (from, to) => {
        expect(InRootPath.resolve(from, InRootPath.relative(from, to))).toEqual(E.right(to));
      }),
    );
  });

  it.each([
    ["/a/b", "../../..", false],
    ["/", "..", false],
    ["/a", "/../b", false],
    ["/a", "b/./c", true],
  ])("resolve(%s, %s) succeeds: %s", (d, t, ok) => {
    expect(E.isRight(InRootPath.resolve(InRootPath.unsafe(d), t))).toBe(ok);
  });
});

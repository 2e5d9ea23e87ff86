/** `ProfileEntry`: which entries of the profile directory are generations, the profile, temp leftovers, or malformed. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as GenerationNumber from "../../packages/model/src/world/GenerationNumber.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as TempName from "../../packages/model/src/paths/TempName.js";
import * as ProfileEntry from "../../packages/model/src/world/ProfileEntry.js";

const DIR = InRootPath.unsafe("/var/lib/switchyard/profiles");

describe("ProfileEntry.classify", () => {
  it.each([
    ["system-7-link", { _tag: "Generation", number: 7 }],
    ["system-1234567-link", { _tag: "Generation", number: 1234567 }],
    ["system", { _tag: "Profile" }],
    [".system.switchyard-tmp-99-2", { _tag: "Temp" }],
    [".system-4-link.switchyard-tmp-99-3", { _tag: "Temp" }],
    ["other-3-link", { _tag: "Other" }],
    ["system-x-link", { _tag: "Other" }],
    ["system-3-link.bak", { _tag: "Other" }],
    ["system-3-link.switchyard-tmp-1", { _tag: "Other" }],
    ["README", { _tag: "Other" }],
  ] as const)("%s", (entry, expected) => {
    expect(ProfileEntry.classify("system", entry)).toEqual(expected);
  });

  it.each(["system-0-link", "system-07-link", "system-00-link"])("%s is malformed, with a message saying what to do", (entry) => {
    const digits = entry.slice("system-".length, -"-link".length);
    expect(ProfileEntry.classify("system", entry)).toEqual({
      _tag: "Malformed",
      digits,
      message: `'${digits}' is not a generation number (no leading zeros, no 0); rename or remove it`,
    });
  });

  it("reads a profile name with dashes whole, and another profile's links as unrelated", () => {
    expect(ProfileEntry.classify("my-system", "my-system-3-link")).toEqual({ _tag: "Generation", number: 3 });
    expect(ProfileEntry.classify("my-system", "system-3-link")).toEqual({ _tag: "Other" });
    expect(ProfileEntry.classify("system", "my-system-3-link")).toEqual({ _tag: "Other" });
  });

  it("finds the generation in every link name, and takes every temp sibling for a temp file", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.integer({ min: 1, max: GenerationNumber.MAX }), fc.stringMatching(/^[0-9a-z-]{1,12}$/), (name, n, unique) => {
        const link = GenerationNumber.linkName(name, GenerationNumber.unsafe(n));
        expect(ProfileEntry.classify(name, link)).toEqual({ _tag: "Generation", number: n });
        expect(ProfileEntry.classify(name, TempName.of(link, unique))).toEqual({ _tag: "Temp" });
        expect(ProfileEntry.classify(name, TempName.of(name, unique))).toEqual({ _tag: "Temp" });
      }),
    );
  });
});

describe("GenerationNumber.matchLinkName", () => {
  /** What NAME-DIGITS-link means, by a regular expression: the reading it must agree with. */
  const oracle = (name: string, entry: string): GenerationNumber.LinkNameMatch => {
    const m = /^(.+)-([0-9]+)-link$/s.exec(entry);
    if (m === null || m[1] !== name) return { _tag: "Other" };
    const n = GenerationNumber.parse(m[2] as string);
    return n._tag === "Some" ? { _tag: "Generation", number: n.value } : { _tag: "Malformed", digits: m[2] as string };
  };
  const piece = fc.constantFrom("system", "my", "-", "-link", "link", "0", "1", "7", "99", "a", "\n", "");
  const text = fc.array(piece, { maxLength: 7 }).map((ps) => ps.join(""));

  it("agrees with the regular expression on names and entries made of the pieces of link names", () => {
    fc.assert(
      fc.property(text, text, (name, entry) => {
        expect(GenerationNumber.matchLinkName(name, entry)).toEqual(oracle(name, entry));
        // A link of this profile, and one of another profile whose name is as long.
        for (const link of [`${name}-${entry.length + 1}-link`, `x${name.slice(1)}-${entry.length + 1}-link`, `${entry}-07-link`]) {
          expect(GenerationNumber.matchLinkName(name, link)).toEqual(oracle(name, link));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("ProfileEntry.generationOfTarget", () => {
  it("names the generation of a link in the profile's own directory", () => {
    expect(ProfileEntry.generationOfTarget(DIR, "system", InRootPath.unsafe(`${DIR}/system-3-link`))).toBe(3);
  });

  it.each([
    "/var/lib/switchyard/other/system-3-link",
    "/store/3-system",
    "/var/lib/switchyard/profiles/system",
    "/var/lib/switchyard/profiles/system-03-link",
    "/var/lib/switchyard/profiles/.system-3-link.switchyard-tmp-1-1",
  ])("is null for %s", (target) => {
    expect(ProfileEntry.generationOfTarget(DIR, "system", InRootPath.unsafe(target))).toBeNull();
  });
});

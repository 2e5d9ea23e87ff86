/**
 * What an entry of the profile directory is: one of the profile's generation links
 * (`system-7-link`), the profile link itself (`system`), a temp sibling an interrupted atomic write
 * left, a malformed generation link (`system-07-link`: an error to report, never a guess), or
 * something unrelated that observation leaves alone. Also which generation a profile link's
 * resolved target names.
 */
import * as GenerationNumber from "./GenerationNumber.js";
import * as InRootPath from "../paths/InRootPath.js";
import * as TempName from "../paths/TempName.js";

export type ProfileEntry =
  | { readonly _tag: "Generation"; readonly number: GenerationNumber.GenerationNumber }
  | { readonly _tag: "Profile" }
  | { readonly _tag: "Temp" }
  | { readonly _tag: "Malformed"; readonly digits: string; readonly message: string }
  | { readonly _tag: "Other" };

export const classify = (profileName: string, entry: string): ProfileEntry => {
  if (TempName.isTemp(entry)) return { _tag: "Temp" };
  if (entry === profileName) return { _tag: "Profile" };
  const m = GenerationNumber.matchLinkName(profileName, entry);
  switch (m._tag) {
    case "Generation":
      return { _tag: "Generation", number: m.number };
    case "Malformed":
      return { _tag: "Malformed", digits: m.digits, message: malformed(m.digits) };
    case "Other":
      return { _tag: "Other" };
  }
};

const malformed = (digits: string): string =>
  /^[1-9][0-9]*$/.test(digits)
    ? `'${digits}' is past the largest generation number, ${GenerationNumber.MAX}; rename or remove it`
    : `'${digits}' is not a generation number (no leading zeros, no 0); rename or remove it`;

/**
 * The generation a profile link names, given its target resolved inside the root: a generation
 * link in the profile's own directory, or null for anything else (another directory, a system
 * directory, an unrelated name).
 */
export const generationOfTarget = (
  profileDir: InRootPath.InRootPath,
  profileName: string,
  resolved: InRootPath.InRootPath,
): GenerationNumber.GenerationNumber | null => {
  if (InRootPath.dirname(resolved) !== profileDir) return null;
  const m = GenerationNumber.matchLinkName(profileName, InRootPath.basename(resolved));
  return m._tag === "Generation" ? m.number : null;
};

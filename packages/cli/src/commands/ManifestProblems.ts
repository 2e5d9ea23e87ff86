/**
 * When a system directory's manifest is invalid, read it once more and list every problem in it
 * (ManifestCheck), each with its line and column, instead of the first one only.
 */
import { type InRootPath, Manifest, ManifestCheck } from "@switchyard/model";
import { FileSystem, Root } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Failure from "../render/Failure.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export const refuse = (root: Root.Root, system: InRootPath.InRootPath, error: Manifest.ManifestError) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = Root.host(root, `${system === "/" ? "" : system}/${Manifest.FILE_NAME}`);
    const first = Failure.invalid(Manifest.errorLine(error));
    // Unreadable, too large or not UTF-8: the first error already says all there is.
    if (error.field === "(file)" && !error.message.startsWith("not valid JSON")) return yield* first;
    const bytes = yield* Effect.either(fs.readFile(file));
    if (bytes._tag === "Left") return yield* first;
    const text = yield* Effect.try({ try: () => utf8.decode(bytes.right), catch: () => first });
    const problems = ManifestCheck.problems(text, system);
    if (problems.length === 0) return yield* first;
    return yield* new Failure.InvalidManifest({ what: `cannot add ${system}`, problems: problems.map((p) => ManifestCheck.describe(file, p)) });
  });

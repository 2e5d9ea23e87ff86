/**
 * A system directory's `manifest.json`, read and decoded into the model's `ManifestResult`: every
 * failure (missing, not a file, too large, not UTF-8, not JSON — with its line and column —, not a
 * manifest) becomes an invalid result naming the file, so the generation can still be listed and
 * deleted. Observing a generation decodes only its header; the services wait for their first read.
 */
import { type InRootPath, Manifest, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as Decode from "../internal/Decode.js";
import type * as Links from "./Links.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

/** Manifests larger than this are refused rather than parsed. */
export const LIMIT = 16 * 1024 * 1024;

const invalid = (file: string, message: string): Extract<World.ManifestResult, { _tag: "Invalid" }> => ({
  _tag: "Invalid",
  error: { _tag: "ManifestError", file, field: "(file)", message },
});

export type ManifestText = { readonly _tag: "Text"; readonly text: string; readonly file: string } | Extract<World.ManifestResult, { _tag: "Invalid" }>;

/** The manifest's JSON; a syntax error is the manifest's own error, with its line and column. */
const parseManifest = (text: string, file: string): E.Either<Manifest.ManifestError, unknown> =>
  pipe(
    Decode.json(text, file),
    E.mapLeft((f) => ({
      _tag: "ManifestError" as const,
      file,
      field: "(file)",
      message: `not valid JSON (line ${f.line ?? "?"}, column ${f.column ?? "?"}: ${f.message}); rebuild this system directory`,
    })),
  );

const resultOf = (decoded: E.Either<Manifest.ManifestError, Manifest.Manifest>): World.ManifestResult =>
  pipe(
    decoded,
    E.match(
      (error): World.ManifestResult => ({ _tag: "Invalid", error }),
      (manifest): World.ManifestResult => ({ _tag: "Valid", manifest }),
    ),
  );

/**
 * A generation whose header is decoded now and whose whole manifest (services included) is decoded
 * on first read, once: most generations are only listed or put in the boot menu.
 */
export const generationOf = (g: Links.LinkObservation, utcOffsetMinutes: number, text: ManifestText): World.Generation => {
  const { exists: _, ...link } = g;
  if (text._tag === "Invalid") return { ...link, utcOffsetMinutes, header: text, manifest: text };
  return pipe(
    parseManifest(text.text, text.file),
    E.bindTo("json"),
    E.bind("header", ({ json }) => Manifest.decodeHeader(json, g.system, text.file)),
    E.match(
      (error): World.Generation => {
        const invalid = { _tag: "Invalid", error } as const;
        return { ...link, utcOffsetMinutes, header: invalid, manifest: invalid };
      },
      ({ json, header }) => {
        let full: World.ManifestResult | undefined;
        const generation = { ...link, utcOffsetMinutes, header: { _tag: "Valid", header } } as World.Generation;
        Object.defineProperty(generation, "manifest", {
          enumerable: true,
          get: (): World.ManifestResult => (full ??= resultOf(Manifest.decode(json, g.system, text.file))),
        });
        return generation;
      },
    ),
  );
};

/** Read and decode `<system>/manifest.json`; every failure becomes an invalid result naming the file. */
export const read = (root: Root.Root, system: InRootPath.InRootPath, exists = true) =>
  Effect.map(readText(root, system, exists), (text): World.ManifestResult =>
    text._tag === "Invalid"
      ? text
      : resultOf(
          pipe(
            parseManifest(text.text, text.file),
            E.chain((json) => Manifest.decode(json, system, text.file)),
          ),
        ),
  );

/** The manifest's text, or why there is none to read. */
export const readText = (root: Root.Root, system: InRootPath.InRootPath, exists = true) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = Root.host(root, `${system === "/" ? "" : system}/${Manifest.FILE_NAME}`);
    if (!exists) return invalid(Root.host(root, system), "the system directory does not exist (was it garbage-collected?)");
    const read = Effect.gen(function* () {
      const stat = yield* fs.lstat(file).pipe(Effect.mapError((e) => (e.reason === "NotFound" ? "missing; this is not a system directory" : e.message)));
      if (stat.kind !== "file") return yield* Effect.fail(`expected a file, found a ${stat.kind}`);
      if (stat.size > LIMIT) return yield* Effect.fail(`${stat.size} bytes is over the ${LIMIT / 1024 / 1024} MiB limit for a manifest`);
      const bytes = yield* fs.readFile(file).pipe(Effect.mapError((e) => e.message));
      return yield* Decode.either(Decode.utf8Text(bytes, file), () => "not valid UTF-8; rebuild this system directory");
    });
    return yield* read.pipe(
      Effect.match({
        onFailure: (why): ManifestText => invalid(file, why),
        onSuccess: (text): ManifestText => ({ _tag: "Text", text, file }),
      }),
    );
  });


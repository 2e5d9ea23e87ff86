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
 * What observation has of a generation's manifest: its header from the index (the whole manifest is
 * read from the file on first use, through `load`), its parsed JSON and decoded header (the rest is
 * decoded on first use), or why it is invalid. Most generations are only listed or put in the boot menu.
 */
export type Source =
  | { readonly _tag: "Cached"; readonly header: Manifest.Header; readonly load: (system: InRootPath.InRootPath) => World.ManifestResult }
  | { readonly _tag: "Parsed"; readonly json: unknown; readonly header: Manifest.Header; readonly file: string }
  | Extract<World.ManifestResult, { _tag: "Invalid" }>;

/** What a generation is, besides its manifest; `linkPrefix` + number + `-link` is its link. */
export interface Facts {
  readonly number: World.Generation["number"];
  readonly system: World.Generation["system"];
  readonly createdMs: number;
  readonly utcOffsetMinutes: number;
  readonly linkPrefix: string;
}

export const generationOf = (g: Facts, source: Source): World.Generation =>
  source._tag === "Invalid"
    ? {
        number: g.number,
        link: `${g.linkPrefix}${g.number}-link` as World.Generation["link"],
        system: g.system,
        createdMs: g.createdMs,
        utcOffsetMinutes: g.utcOffsetMinutes,
        header: source,
        manifest: source,
      }
    : new Observed(g, source);

/** A generation whose whole manifest is decoded on first read, once (a class: its getters are shared, not defined per object). */
class Observed implements World.Generation {
  readonly number: World.Generation["number"];
  readonly system: World.Generation["system"];
  readonly createdMs: number;
  readonly header: World.HeaderResult;
  readonly utcOffsetMinutes: number;
  readonly #linkPrefix: string;
  readonly #source: Exclude<Source, { _tag: "Invalid" }>;
  #full: World.ManifestResult | undefined;
  constructor(g: Facts, source: Exclude<Source, { _tag: "Invalid" }>) {
    this.#source = source;
    this.#linkPrefix = g.linkPrefix;
    this.utcOffsetMinutes = g.utcOffsetMinutes;
    this.number = g.number;
    this.system = g.system;
    this.createdMs = g.createdMs;
    this.header = { _tag: "Valid", header: source.header };
  }
  get link(): World.Generation["link"] {
    return `${this.#linkPrefix}${this.number}-link` as World.Generation["link"];
  }
  get manifest(): World.ManifestResult {
    const s = this.#source;
    return (this.#full ??= s._tag === "Cached" ? s.load(this.system) : resultOf(Manifest.decode(s.json, this.system, s.file)));
  }
}

/** The source of a manifest whose text was read: parsed, its header decoded. */
export const parsed = (text: ManifestText, system: InRootPath.InRootPath): Source => {
  if (text._tag === "Invalid") return text;
  return pipe(
    parseManifest(text.text, text.file),
    E.bindTo("json"),
    E.bind("header", ({ json }) => Manifest.decodeHeader(json, system, text.file)),
    E.match(
      (error): Source => ({ _tag: "Invalid", error }),
      ({ json, header }): Source => ({ _tag: "Parsed", json, header, file: text.file }),
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


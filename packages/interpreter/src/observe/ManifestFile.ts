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
  | { readonly _tag: "Cached"; readonly header: Manifest.Header; readonly load: Load }
  | { readonly _tag: "Parsed"; readonly json: unknown; readonly header: Manifest.Header; readonly file: string }
  | Extract<World.ManifestResult, { _tag: "Invalid" }>;

/** Reads and decodes a system directory's whole manifest. */
export type Load = (system: InRootPath.InRootPath) => World.ManifestResult;

/**
 * A generation: its number, system directory, creation time and its offset from UTC, its link
 * (`linkPrefix` + number + `-link`), and what there is of its manifest.
 */
export const generationOf = (
  number: World.Generation["number"],
  system: World.Generation["system"],
  createdMs: number,
  utcOffsetMinutes: number,
  linkPrefix: string,
  source: Source,
): World.Generation => {
  switch (source._tag) {
    case "Invalid":
      return { number, link: `${linkPrefix}${number}-link` as World.Generation["link"], system, createdMs, utcOffsetMinutes, header: source, manifest: source };
    case "Cached":
      return new Observed(number, system, createdMs, utcOffsetMinutes, linkPrefix, source.header, source.load, undefined, "");
    case "Parsed":
      return new Observed(number, system, createdMs, utcOffsetMinutes, linkPrefix, source.header, null, source.json, source.file);
  }
};

/**
 * A generation whose whole manifest is read or decoded on first read, once. A class, with plain
 * fields: ten thousand of these are made per command, and a getter defined per object is slow.
 */
/** What an observed generation knows from its link alone; its link's path is built on each read. */
export abstract class Linked {
  readonly #linkPrefix: string;
  constructor(
    readonly number: World.Generation["number"],
    readonly system: World.Generation["system"],
    readonly createdMs: number,
    readonly utcOffsetMinutes: number,
    linkPrefix: string,
  ) {
    this.#linkPrefix = linkPrefix;
  }
  get link(): World.Generation["link"] {
    return `${this.#linkPrefix}${this.number}-link` as World.Generation["link"];
  }
}

class Observed extends Linked implements World.Generation {
  readonly header: World.HeaderResult;
  readonly #load: Load | null;
  readonly #json: unknown;
  readonly #file: string;
  #full: World.ManifestResult | undefined;
  constructor(
    number: World.Generation["number"],
    system: World.Generation["system"],
    createdMs: number,
    utcOffsetMinutes: number,
    linkPrefix: string,
    header: Manifest.Header,
    load: Load | null,
    json: unknown,
    file: string,
  ) {
    super(number, system, createdMs, utcOffsetMinutes, linkPrefix);
    this.header = { _tag: "Valid", header };
    this.#load = load;
    this.#json = json;
    this.#file = file;
  }
  get manifest(): World.ManifestResult {
    return (this.#full ??= this.#load !== null ? this.#load(this.system) : resultOf(Manifest.decode(this.#json, this.system, this.#file)));
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


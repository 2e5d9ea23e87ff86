/**
 * `manifest.json`, the record a system directory carries of itself: boot parameters, activation
 * script, services. Decoded strictly (unknown fields are errors, so typos are not ignored) and
 * validated as a whole (unique names, resolvable requirements, no cycles), with errors that name
 * the file and the field.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as t from "io-ts";
import * as InRootPath from "../paths/InRootPath.js";
import { firstError } from "../internal/Report.js";
import { strictPartial } from "../internal/Strict.js";
import * as ServiceGraph from "../services/ServiceGraph.js";
import * as ServiceRecord from "../services/ServiceRecord.js";

export const SCHEMA = 1;
export const FILE_NAME = "manifest.json";

const Schema = new t.Type<1, 1, unknown>(
  "schema",
  (u): u is 1 => u === SCHEMA,
  (u, c) =>
    u === SCHEMA
      ? t.success(SCHEMA)
      : t.failure(u, c, typeof u === "number" ? `unknown schema ${u}: this switchyard reads schema ${SCHEMA}; upgrade switchyard` : `expected schema ${SCHEMA}`),
  (a) => a,
);

const NonEmptyString = new t.Type<string, string, unknown>(
  "non-empty string",
  (u): u is string => typeof u === "string" && u.length > 0,
  (u, c) => (typeof u === "string" && u.length > 0 ? t.success(u) : t.failure(u, c, "expected a non-empty string")),
  (a) => a,
);

const BootInput = strictPartial({ kernel: NonEmptyString }, { initrd: NonEmptyString, params: t.array(t.string) }, "boot");

export const ManifestInput = strictPartial(
  { schema: Schema, label: NonEmptyString, boot: BootInput },
  { activate: NonEmptyString, services: t.array(ServiceRecord.ServiceRecordInput), description: t.string },
  "manifest",
);
export type ManifestInput = t.TypeOf<typeof ManifestInput>;

/** The decoded manifest: paths resolved against the system directory, service records normalised. */
export const Manifest = t.readonly(
  t.type(
    {
      label: t.string,
      boot: t.readonly(
        t.type({
          kernel: t.string,
          initrd: t.union([t.string, t.null]),
          params: t.readonlyArray(t.string),
        }),
      ),
      activate: t.union([t.string, t.null]),
      services: t.readonlyArray(ServiceRecord.ServiceRecord),
    },
    "Manifest",
  ),
);
export type Manifest = t.TypeOf<typeof Manifest>;

export interface ManifestError {
  readonly _tag: "ManifestError";
  readonly file: string;
  readonly field: string;
  readonly message: string;
}

export const errorLine = (e: ManifestError): string => `${e.file}: ${e.field}: ${e.message}`;

const fail = (file: string, field: string, message: string): E.Either<ManifestError, never> =>
  E.left({ _tag: "ManifestError", file, field, message });

/** Parse the text of a manifest; errors name the file. */
export const parse = (text: string, file: string): E.Either<ManifestError, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch (cause) {
    return fail(file, "(file)", `not valid JSON (${cause instanceof Error ? cause.message : String(cause)}); rebuild this system directory`);
  }
};

/** Parse and decode the text of `<system>/manifest.json`. `file` is how errors name it. */
export const fromText = (text: string, system: InRootPath.InRootPath, file: string): E.Either<ManifestError, Manifest> =>
  E.chain((json: unknown) => decode(json, system, file))(parse(text, file));

/** What the boot menu and `list` need of a generation: everything but its services. */
export type Header = Pick<Manifest, "label" | "boot" | "activate">;

const HeaderInput = strictPartial(
  { schema: Schema, label: NonEmptyString, boot: BootInput },
  { activate: NonEmptyString, services: t.UnknownArray, description: t.string },
  "manifest",
);

/**
 * Decode the header only: the services are left for `decode`, so observing ten thousand
 * generations does not validate ten thousand service graphs that no decision will read.
 */
export const decodeHeader = (json: unknown, system: InRootPath.InRootPath, file: string): E.Either<ManifestError, Header> =>
  pipe(HeaderInput.decode(json), E.mapLeft(reportIn(file)), E.chain((input) => paths(input, system, file)));

export const decode = (json: unknown, system: InRootPath.InRootPath, file: string): E.Either<ManifestError, Manifest> =>
  pipe(ManifestInput.decode(json), E.mapLeft(reportIn(file)), E.chain((input) => validate(input, system, file)));

/** io-ts errors as the one error line of `file`. */
const reportIn =
  (file: string) =>
  (errors: t.Errors): ManifestError => ({ _tag: "ManifestError", file, ...firstError(errors) });

const paths = (
  input: { readonly label: string; readonly boot: ManifestInput["boot"]; readonly activate?: string | undefined },
  system: InRootPath.InRootPath,
  file: string,
): E.Either<ManifestError, Header> => {
  const within = (field: string, path: string): E.Either<ManifestError, string> =>
    pipe(
      InRootPath.resolve(system, path),
      E.mapLeft((m) => ({ _tag: "ManifestError" as const, file, field, message: m })),
      E.chain((resolved) =>
        path.startsWith("/") || InRootPath.isWithin(resolved, system)
          ? E.right(resolved as string)
          : fail(file, field, `'${path}' leaves the system directory; use a path inside it or an absolute one`),
      ),
    );
  return pipe(
    E.Do,
    E.bind("kernel", () => within("boot.kernel", input.boot.kernel)),
    E.bind("initrd", () => (input.boot.initrd === undefined ? E.right(null) : within("boot.initrd", input.boot.initrd))),
    E.bind("activate", () => (input.activate === undefined ? E.right(null) : within("activate", input.activate))),
    E.map(({ kernel, initrd, activate }) => ({ label: input.label, boot: { kernel, initrd, params: input.boot.params ?? [] }, activate })),
  );
};

const validate = (input: ManifestInput, system: InRootPath.InRootPath, file: string): E.Either<ManifestError, Manifest> => {
  const services = (input.services ?? []).map(ServiceRecord.normalise);
  const graph = ServiceGraph.build(services);
  if (E.isLeft(graph)) return fail(file, ...describeGraphError(graph.left));
  return E.map((header: Header) => ({ ...header, services }))(paths(input, system, file));
};

const describeGraphError = (e: ServiceGraph.GraphError): [string, string] => {
  switch (e._tag) {
    case "DuplicateName":
      return [`services[${e.index}].name`, `duplicate service name '${e.name}'; service names must be unique`];
    case "AmbiguousProvision":
      return [`services[${e.index}].provides`, `'${e.provision}' is provided by both '${e.providers[0]}' and '${e.providers[1]}'`];
    case "UnknownRequirement":
      return [`services[${e.index}].requires[${e.position}]`, `'${e.service}' requires '${e.requirement}', which no service in this generation provides`];
    case "Cycle":
      return [`services[${e.index}].requires`, `requirement cycle: ${e.cycle.join(" -> ")}; break the cycle`];
  }
};

// A plan reads the graphs of two or three manifests several times; each is built once.
const graphs = new WeakMap<Manifest, ServiceGraph.ServiceGraph>();

/** The dependency graph of a decoded manifest (it was validated, so this cannot fail). */
export const graphOf = (manifest: Manifest): ServiceGraph.ServiceGraph => {
  const known = graphs.get(manifest);
  if (known !== undefined) return known;
  const g = ServiceGraph.build(manifest.services);
  const graph = E.isRight(g) ? g.right : ServiceGraph.empty;
  graphs.set(manifest, graph);
  return graph;
};


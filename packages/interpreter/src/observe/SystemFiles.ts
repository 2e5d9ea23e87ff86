/**
 * A system directory without `manifest.json` may still be a generation: NixOS writes `boot.json`
 * (its bootspec) into every toplevel, Guix a `parameters` file into every system. This reads
 * whichever is there, and whether the system has its own activation (NixOS's
 * `bin/switch-to-configuration`, Guix's `activate`), into the same result a manifest gives.
 */
import { Bootspec, GuixParameters, type InRootPath, Manifest, World } from "@switchyard/model";
import { Effect } from "effect";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export interface Described {
  readonly result: World.ManifestResult;
  readonly format?: NonNullable<World.Generation["format"]>;
  readonly specialisations?: ReadonlyArray<string>;
}

/** Description files are small; anything larger is refused rather than read. */
const LIMIT = 4 * 1024 * 1024;
const decoder = new TextDecoder("utf-8", { fatal: true });

const join = (system: string, name: string): string => `${system === "/" ? "" : system}/${name}`;

const invalid = (file: string, message: string): World.ManifestResult => ({ _tag: "Invalid", error: { _tag: "ManifestError", file, field: "(file)", message } });

/** The file's text; null when absent; an invalid result when unreadable. */
const textOf = (root: Root.Root, path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const host = Root.host(root, path);
    const stat = yield* Effect.either(fs.lstat(host));
    if (stat._tag === "Left") return stat.left.reason === "NotFound" ? null : invalid(host, stat.left.message);
    if (stat.right.kind !== "file") return invalid(host, `expected a file, found a ${stat.right.kind}`);
    if (stat.right.size > LIMIT) return invalid(host, `${stat.right.size} bytes is over the ${LIMIT / 1024 / 1024} MiB limit`);
    const bytes = yield* Effect.either(fs.readFile(host));
    if (bytes._tag === "Left") return invalid(host, bytes.left.message);
    try {
      return { text: decoder.decode(bytes.right), file: host };
    } catch {
      return invalid(host, "not valid UTF-8");
    }
  });

const present = (root: Root.Root, path: string) =>
  Effect.flatMap(FileSystem, (fs) => fs.lstat(Root.host(root, path)).pipe(Effect.as(true), Effect.catchAll(() => Effect.succeed(false))));

const valid = (header: Manifest.Header): World.ManifestResult => ({ _tag: "Valid", manifest: { ...header, services: [] } });

/** The description of a system directory that has no manifest.json, or null when it has one. */
export const describe = Effect.fn("describeSystem")(function* (root: Root.Root, system: InRootPath.InRootPath) {
  if (yield* present(root, join(system, Manifest.FILE_NAME))) return null;
  const spec = yield* textOf(root, join(system, Bootspec.FILE_NAME));
  if (spec !== null && "_tag" in spec) return { result: spec } satisfies Described;
  if (spec !== null) {
    const decoded = Bootspec.decode(spec.text, spec.file, yield* present(root, join(system, Bootspec.SWITCH)));
    if (decoded._tag === "Left") return { result: { _tag: "Invalid", error: decoded.left } } satisfies Described;
    return { result: valid(decoded.right.header), format: "nixos-bootspec", specialisations: decoded.right.specialisations } satisfies Described;
  }
  const params = yield* textOf(root, join(system, GuixParameters.FILE_NAME));
  if (params !== null && "_tag" in params) return { result: params } satisfies Described;
  if (params !== null) {
    const activate = join(system, "activate");
    const decoded = GuixParameters.decode(params.text, system, params.file, (yield* present(root, activate)) ? activate : null);
    if (decoded._tag === "Left") return { result: { _tag: "Invalid", error: decoded.left } } satisfies Described;
    return { result: valid(decoded.right), format: "guix-parameters" } satisfies Described;
  }
  return {
    result: invalid(Root.host(root, join(system, Manifest.FILE_NAME)), `missing, and no ${Bootspec.FILE_NAME} or ${GuixParameters.FILE_NAME} either; this is not a system directory`),
  } satisfies Described;
});

/** A generation read from its bootspec or parameters, when its system directory has no manifest.json. */
export const generation = (root: Root.Root, link: Omit<World.Generation, "header" | "manifest">) =>
  Effect.map(describe(root, link.system), (d): World.Generation | null =>
    d === null
      ? null
      : {
          ...link,
          header: World.headerOf(d.result),
          manifest: d.result,
          ...(d.format === undefined ? {} : { format: d.format }),
          ...(d.specialisations === undefined || d.specialisations.length === 0 ? {} : { specialisations: d.specialisations }),
        },
  );

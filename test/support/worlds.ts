/**
 * Builds observed `World`s for tests from a short list of generations, filling in what a test does not
 * care about: settings and profile paths from `World.Paths`, a system directory per generation, a
 * manifest with a kernel and an initrd inside it, and run/booted links on the current generation.
 */
import * as GenerationNumber from "../../packages/model/src/world/GenerationNumber.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as Manifest from "../../packages/model/src/world/Manifest.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Settings from "../../packages/model/src/world/Settings.js";
import * as World from "../../packages/model/src/world/World.js";

/** 2024-01-01T00:00:00Z: default generation N is created N days later, at midnight UTC. */
export const EPOCH_MS = Date.UTC(2024, 0, 1);
export const DAY_MS = 86_400_000;

export interface GenerationSpec {
  readonly number: number;
  /** Default `Switchyard N`. */
  readonly label?: string;
  /** Default `EPOCH_MS + number days`. */
  readonly createdMs?: number;
  /** Default 0 (UTC). */
  readonly utcOffsetMinutes?: number;
  readonly services?: ReadonlyArray<ServiceRecord.ServiceRecordInput>;
  /** Default `systemDir(number)`. */
  readonly system?: string;
  /** Default `<system>/kernel`, `<system>/initrd` (null: none) and no params. */
  readonly boot?: Partial<Manifest.Manifest["boot"]>;
  readonly activate?: string | null;
  /** When given, the manifest is `Invalid` with this message instead. */
  readonly invalid?: string;
}

export interface WorldOptions {
  readonly settings?: Partial<World.Settings>;
  /** The generation the profile points to; default the newest, null for no profile link. */
  readonly current?: number | null;
  readonly bootConfig?: World.World["bootConfig"];
  readonly liveServices?: ReadonlyArray<string> | null;
}

export const defaultSettings: World.Settings = Settings.defaults;

/** Where generation `n`'s system directory lives unless a spec says otherwise. */
export const systemDir = (n: number): InRootPath.InRootPath => InRootPath.unsafe(`/store/${n}-system`);

export const manifest = (spec: GenerationSpec): Manifest.Manifest => {
  const system = spec.system ?? systemDir(spec.number);
  return {
    label: spec.label ?? `Switchyard ${spec.number}`,
    boot: {
      kernel: spec.boot?.kernel ?? `${system}/kernel`,
      initrd: spec.boot?.initrd === undefined ? `${system}/initrd` : spec.boot.initrd,
      params: spec.boot?.params ?? [],
    },
    activate: spec.activate === undefined ? null : spec.activate,
    services: (spec.services ?? []).map(ServiceRecord.normalise),
  };
};

export const generation = (spec: GenerationSpec, settings: World.Settings = defaultSettings): World.Generation => {
  const number = GenerationNumber.unsafe(spec.number);
  const system = InRootPath.unsafe(spec.system ?? systemDir(spec.number));
  const result: World.ManifestResult =
    spec.invalid === undefined
      ? { _tag: "Valid", manifest: manifest(spec) }
      : {
          _tag: "Invalid",
          error: { _tag: "ManifestError", file: `${system}/${Manifest.FILE_NAME}`, field: "(file)", message: spec.invalid },
        };
  return {
    number,
    link: InRootPath.join(World.profileDir(settings), GenerationNumber.linkName(World.profileName(settings), number)),
    system,
    createdMs: spec.createdMs ?? EPOCH_MS + spec.number * DAY_MS,
    utcOffsetMinutes: spec.utcOffsetMinutes ?? 0,
    header: World.headerOf(result),
    manifest: result,
  };
};

/** A world holding `specs` (sorted ascending, as observation yields them). */
export const world = (specs: ReadonlyArray<GenerationSpec>, options: WorldOptions = {}): World.World => {
  const settings: World.Settings = { ...defaultSettings, ...options.settings };
  const generations = [...specs].sort((a, b) => a.number - b.number).map((s) => generation(s, settings));
  const newest = generations[generations.length - 1];
  const current = options.current === undefined ? (newest?.number ?? null) : options.current === null ? null : GenerationNumber.unsafe(options.current);
  const currentGen = current === null ? undefined : generations.find((g) => g.number === current);
  const link: World.SystemLink =
    currentGen === undefined
      ? { target: null, system: null, generation: null, manifest: null }
      : { target: currentGen.system, system: currentGen.system, generation: currentGen.number, manifest: currentGen.manifest };
  const live = options.liveServices !== undefined ? options.liveServices : settings.serviceManager === "none" ? null : [];
  return {
    settings,
    generations,
    profileTarget: current === null ? null : GenerationNumber.linkName(World.profileName(settings), current),
    current,
    running: link,
    booted: link,
    bootConfig:
      options.bootConfig !== undefined
        ? options.bootConfig
        : settings.bootloader === "grub"
          ? { path: World.Paths.grubConfig, content: null, digest: null }
          : null,
    liveServices: live,
    serviceRevisions: live === null ? null : [...live].sort().map((name) => [name, null] as const),
    bootId: "test-boot",
    restartDebt: { text: null, entries: [] },
  };
};

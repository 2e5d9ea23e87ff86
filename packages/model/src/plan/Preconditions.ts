/**
 * Everything of the world a plan was computed from that apply can cheaply look at again: the
 * links, the digest of the bootloader's files, the pinned generations, and which services were up
 * on which revision. Recorded in the
 * plan, so apply refuses a stale one, naming the first thing that changed.
 */
import * as t from "io-ts";
import { pair } from "../internal/Strict.js";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import type * as World from "../world/World.js";

const Revision = t.union([t.string, t.null]);

export const Preconditions = t.readonly(
  t.type(
    {
      profileTarget: t.union([t.string, t.null]),
      generations: t.readonlyArray(pair(GenerationNumberCodec, t.string, "Generation")),
      currentSystem: t.union([t.string, t.null]),
      /** Covers every file the bootloader owns (the loader itself renames and rewrites some at boot). */
      bootConfigDigest: t.union([t.string, t.null]),
      /** What `switchyard pin` protects: a pin added after a delete was planned makes that plan stale. */
      pins: t.readonlyArray(GenerationNumberCodec),
      /** Each service that was up and the revision it ran, sorted by name; null without a service manager. */
      services: t.union([t.readonlyArray(pair(t.string, Revision, "LiveService")), t.null]),
    },
    "Preconditions",
  ),
);
export type Preconditions = t.TypeOf<typeof Preconditions>;

/**
 * The generations' list and the boot files' digest are made when first read: a plan that is only
 * shown reads neither (the list is 10,000 pairs on a large profile, and the digest is what
 * loads a hash function), nor does the journal's copy of one; one that is saved or checked reads both.
 */
export const of = (world: World.World): Preconditions => {
  let generations: Preconditions["generations"] | undefined;
  let digest: string | null | undefined;
  return {
    profileTarget: world.profileTarget,
    get generations() {
      return (generations ??= world.generations.map((g) => [g.number, g.system] as const));
    },
    currentSystem: world.running.target,
    get bootConfigDigest() {
      return digest === undefined ? (digest = world.bootConfig?.digest ?? null) : digest;
    },
    pins: world.pins ?? [],
    services: world.serviceRevisions,
  };
};

/** The first difference between what a plan expected and what is there now, or null when none. */
export const difference = (expected: Preconditions, actual: Preconditions): string | null => {
  if (expected.profileTarget !== actual.profileTarget) {
    return `the profile now points to ${actual.profileTarget ?? "nothing"} (the plan expected ${expected.profileTarget ?? "nothing"})`;
  }
  if (expected.currentSystem !== actual.currentSystem) {
    return `/run/current-system now points to ${actual.currentSystem ?? "nothing"} (the plan expected ${expected.currentSystem ?? "nothing"})`;
  }
  if (expected.bootConfigDigest !== actual.bootConfigDigest) return "the boot config changed since the plan was computed";
  if (expected.pins.join(",") !== actual.pins.join(",")) {
    return `the pinned generations are now ${list(actual.pins)} (the plan expected ${list(expected.pins)})`;
  }
  if (expected.generations.length !== actual.generations.length) {
    return `there are now ${actual.generations.length} generations (the plan expected ${expected.generations.length})`;
  }
  for (let i = 0; i < expected.generations.length; i++) {
    const [n, system] = expected.generations[i] as readonly [number, string];
    const [m, other] = actual.generations[i] as readonly [number, string];
    if (n !== m || system !== other) return `generation ${n} changed since the plan was computed`;
  }
  return servicesDifference(expected.services, actual.services);
};

const list = (pins: ReadonlyArray<number>): string => (pins.length === 0 ? "none" : pins.join(", "));

type Services = Preconditions["services"];

const servicesDifference = (expected: Services, actual: Services): string | null => {
  if (expected === null || actual === null) {
    return expected === actual ? null : `the service manager ${actual === null ? "no longer reports" : "now reports"} which services are up`;
  }
  const now = new Map(actual);
  for (const [name, revision] of expected) {
    if (!now.has(name)) return `service ${name} is no longer up (the plan expected it up${revision === null ? "" : ` on revision ${revision}`})`;
    const running = now.get(name) ?? null;
    if (running !== revision) return `service ${name} now runs revision ${running ?? "(unknown)"} (the plan expected ${revision ?? "(unknown)"})`;
  }
  const before = new Set(expected.map(([name]) => name));
  const appeared = actual.find(([name]) => !before.has(name));
  return appeared === undefined ? null : `service ${appeared[0]} is up now (the plan expected it down)`;
};

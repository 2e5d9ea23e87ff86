/** The part of the world a plan depends on, recorded in the plan so apply can refuse a stale one. */
import type * as Plan from "./Plan.js";
import type * as World from "../world/World.js";

export const of = (world: World.World): Plan.Preconditions => ({
  profileTarget: world.profileTarget,
  generations: world.generations.map((g) => [g.number, g.system] as const),
  currentSystem: world.running.target,
  bootConfigDigest: world.bootConfig?.digest ?? null,
});

/** The first difference between what a plan expected and what is there now, or null when none. */
export const difference = (expected: Plan.Preconditions, actual: Plan.Preconditions): string | null => {
  if (expected.profileTarget !== actual.profileTarget) {
    return `the profile now points to ${actual.profileTarget ?? "nothing"} (the plan expected ${expected.profileTarget ?? "nothing"})`;
  }
  if (expected.currentSystem !== actual.currentSystem) {
    return `/run/current-system now points to ${actual.currentSystem ?? "nothing"} (the plan expected ${expected.currentSystem ?? "nothing"})`;
  }
  if (expected.bootConfigDigest !== actual.bootConfigDigest) return "the boot config changed since the plan was computed";
  if (expected.generations.length !== actual.generations.length) {
    return `there are now ${actual.generations.length} generations (the plan expected ${expected.generations.length})`;
  }
  for (let i = 0; i < expected.generations.length; i++) {
    const [n, system] = expected.generations[i] as readonly [number, string];
    const [m, other] = actual.generations[i] as readonly [number, string];
    if (n !== m || system !== other) return `generation ${n} changed since the plan was computed`;
  }
  return null;
};

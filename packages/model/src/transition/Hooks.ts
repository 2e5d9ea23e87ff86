/**
 * A generation's hooks around a switch, snapd's pre-refresh / post-refresh / check-health: which
 * program runs, from which system directory, with which environment. `preSwitch` runs from the
 * generation being left, before anything changes, and can veto (it is recorded in the plan, not a
 * step: it runs at `plan` and again under the lock at `apply`); `postSwitch` runs from the target
 * after its activation and before its services start, `checkHealth` once they are up, both before
 * Commit, so their failure reverts the transition. The revert runs no hook at all: the failing one
 * is never run again, and going back restores what ran before instead of asking it.
 */
import * as t from "io-ts";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import type * as InRootPath from "../paths/InRootPath.js";
import type * as Manifest from "../world/Manifest.js";
import type * as Request from "../plan/Request.js";
import type * as Step from "../plan/Step.js";
import * as TargetEpochs from "../state/TargetEpochs.js";
import * as World from "../world/World.js";

export type Name = Step.HookInvocation["hook"];

/** `upgrade` to a newer generation, `rollback` to an older one, `same` when the number does not change. */
export const Direction = t.keyof({ upgrade: null, rollback: null, same: null }, "Direction");
export type Direction = t.TypeOf<typeof Direction>;

/** One hook to run: its program (argv as the manifest has it, relative to `system`) and its whole environment. */
export type Invocation = Step.HookInvocation;

/** Where the switch starts and where it goes. `from` is null when nothing runs and there is no current generation. */
export interface Ends {
  readonly from: { readonly generation: GenerationNumber | null; readonly system: InRootPath.InRootPath } | null;
  readonly to: { readonly generation: GenerationNumber; readonly system: InRootPath.InRootPath };
  readonly mode: Request.Mode;
  /** The target's stateful services' epochs and their data's, as planned (`TargetEpochs.json`). */
  readonly epochs: string;
}

/** By generation number: a first switch (nothing to come from) is an upgrade. */
export const direction = (from: GenerationNumber | null, to: GenerationNumber): Direction =>
  from === null || to > from ? "upgrade" : to < from ? "rollback" : "same";

/** The environment every hook gets: which hook, both generations and systems, the direction and the mode. */
export const environment = (hook: Name, ends: Ends): Readonly<Record<string, string>> => ({
  SWITCHYARD_HOOK: hook,
  SWITCHYARD_FROM: ends.from?.generation === null || ends.from === null ? "" : String(ends.from.generation),
  SWITCHYARD_TO: String(ends.to.generation),
  SWITCHYARD_DIRECTION: direction(ends.from?.generation ?? null, ends.to.generation),
  SWITCHYARD_FROM_SYSTEM: ends.from?.system ?? "",
  SWITCHYARD_TO_SYSTEM: ends.to.system,
  SWITCHYARD_MODE: ends.mode,
  SWITCHYARD_EPOCHS: ends.epochs,
});

const invocation = (hook: Name, system: InRootPath.InRootPath, manifest: Manifest.Manifest | null, ends: Ends): Invocation | null => {
  const argv = manifest?.hooks?.[hook];
  return argv === undefined ? null : { hook, system, argv, env: environment(hook, ends) };
};

/**
 * The generation being left: the one whose code runs now, or (nothing running) the current one.
 * Its hook decides whether the switch may go ahead.
 */
export const endsOf = (world: World.World, target: World.Generation, mode: Request.Mode): Ends => {
  const r = world.running;
  const current = world.current === null ? undefined : World.generation(world, world.current);
  const from = r.system !== null ? { generation: r.generation, system: r.system } : current === undefined ? null : { generation: current.number, system: current.system };
  return { from, to: { generation: target.number, system: target.system }, mode, epochs: TargetEpochs.json(TargetEpochs.of(world, target)) };
};

/** The manifest of the generation being left, when it is valid. */
const fromManifest = (world: World.World, ends: Ends): Manifest.Manifest | null => {
  if (ends.from === null) return null;
  if (world.running.system === ends.from.system) return world.running.manifest?._tag === "Valid" ? world.running.manifest.manifest : null;
  const g = ends.from.generation === null ? undefined : World.generation(world, ends.from.generation);
  return g?.manifest._tag === "Valid" ? g.manifest.manifest : null;
};

/** The pre-switch hook of the generation being left, if it has one. */
export const preSwitch = (world: World.World, target: World.Generation, mode: Request.Mode): Invocation | null => {
  const ends = endsOf(world, target, mode);
  return ends.from === null ? null : invocation("preSwitch", ends.from.system, fromManifest(world, ends), ends);
};

/** The target's post-switch and health hooks, as steps (null when it has none). */
export const step = (hook: "postSwitch" | "checkHealth", world: World.World, target: World.Generation, manifest: Manifest.Manifest, mode: Request.Mode): Array<Step.Step> => {
  const found = invocation(hook, target.system, manifest, endsOf(world, target, mode));
  return found === null ? [] : [{ _tag: "RunHook", system: found.system, argv: found.argv, env: found.env, hook }];
};

/** "pre-switch hook bin/check (generation 3)", as reports name a hook. */
export const label = (invocation: Pick<Invocation, "hook" | "argv" | "env">): string => {
  const words = { preSwitch: "pre-switch", postSwitch: "post-switch", checkHealth: "health" } as const;
  const generation = invocation.hook === "preSwitch" ? invocation.env["SWITCHYARD_FROM"] : invocation.env["SWITCHYARD_TO"];
  return `${words[invocation.hook]} hook ${invocation.argv.join(" ")}${generation === undefined || generation === "" ? "" : ` (generation ${generation})`}`;
};

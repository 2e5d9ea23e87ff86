/** The step that runs a system's activation script, when its manifest has one. */
import type * as Manifest from "../world/Manifest.js";
import type * as Step from "../plan/Step.js";
import type * as World from "../world/World.js";

export type Action = Extract<Step.Step, { _tag: "RunActivation" }>["action"];

export const of = (system: World.Generation["system"], manifest: Manifest.Manifest, action: Action): Array<Step.Step> =>
  manifest.activate === null ? [] : [{ _tag: "RunActivation", system, script: manifest.activate as World.Generation["system"], action }];

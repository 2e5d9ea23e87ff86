/**
 * The step that runs a system's activation script, when its manifest has one. A NixOS or Guix
 * system is activated its own way (`SystemFormat.activation`: extra arguments and environment).
 */
import type * as Manifest from "../world/Manifest.js";
import type * as Step from "../plan/Step.js";
import * as SystemFormat from "../world/SystemFormat.js";
import type * as World from "../world/World.js";

export type Action = Extract<Step.Step, { _tag: "RunActivation" }>["action"];

export const of = (system: World.Generation["system"], manifest: Manifest.Manifest, action: Action, format?: SystemFormat.Format): Array<Step.Step> =>
  manifest.activate === null
    ? []
    : [{ _tag: "RunActivation", system, script: manifest.activate as World.Generation["system"], action, ...SystemFormat.activation(format, system) }];

/** `switchyard apply switch N`: the profile, the running system and the boot default move to N. */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import { describe, type Model, type Pick } from "./Model.js";

export class SwitchCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: Pick) {}
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, { _tag: "Switch", pick: this.pick, mode: "switch" }, { _tag: "None" });
  toString = (): string => describe({ _tag: "Switch", pick: this.pick, mode: "switch" });
}

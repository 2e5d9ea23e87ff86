/** `switchyard apply switch N --mode test`: only the running system moves; the profile and boot default stay. */
import type fc from "fast-check";
import { perform, type Real } from "./Harness.js";
import { describe, type Model, type Pick } from "./Model.js";

export class TestModeCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: Pick) {}
  check = (): boolean => true;
  run = (model: Model, real: Real): Promise<void> => perform(model, real, { _tag: "Switch", pick: this.pick, mode: "test" }, { _tag: "None" });
  toString = (): string => describe({ _tag: "Switch", pick: this.pick, mode: "test" });
}

/** The pure core of Switchyard: decoded observations in, plans out. No I/O, no clock, no randomness. */
export * as BootConfig from "./BootConfig.js";
export * as Config from "./Config.js";
export * as GenerationNumber from "./GenerationNumber.js";
export * as InRootPath from "./InRootPath.js";
export { InRootPathCodec } from "./InRootPathCodec.js";
export * as Manifest from "./Manifest.js";
export * as Pattern from "./Pattern.js";
export * as Plan from "./Plan.js";
export * as PlanError from "./PlanError.js";
export * as Preconditions from "./Preconditions.js";
export * as ServiceDiff from "./ServiceDiff.js";
export * as ServiceGraph from "./ServiceGraph.js";
export * as ServiceRecord from "./ServiceRecord.js";
export * as Spec from "./Spec.js";
export * as Step from "./Step.js";
export * as Transition from "./Transition.js";
export * as World from "./World.js";

/** The pure core of Switchyard: decoded observations in, plans out. No I/O, no clock, no randomness. */
export * as GenerationNumber from "./GenerationNumber.js";
export * as InRootPath from "./InRootPath.js";
export { InRootPathCodec } from "./InRootPathCodec.js";
export * as Manifest from "./Manifest.js";
export * as Plan from "./Plan.js";
export * as ServiceGraph from "./ServiceGraph.js";
export * as ServiceRecord from "./ServiceRecord.js";
export * as Step from "./Step.js";
export * as World from "./World.js";

/** Which service to act on, with the record of the generation whose code it should run. */
import * as t from "io-ts";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import { InRootPathCodec } from "../paths/InRootPathCodec.js";
import { ServiceRecord } from "../services/ServiceRecord.js";

export const ServiceRef = t.readonly(
  t.type({ system: InRootPathCodec, generation: t.union([GenerationNumberCodec, t.null]), record: ServiceRecord }, "ServiceRef"),
);
export type ServiceRef = t.TypeOf<typeof ServiceRef>;

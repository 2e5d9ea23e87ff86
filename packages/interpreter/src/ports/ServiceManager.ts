/**
 * The service-manager port: which services are up, and the four service operations. With no
 * manager (`none`) steps are recorded, not executed, and `live` is null so the model assumes the
 * running generation's services are up.
 */
import { Context, Data, type Effect } from "effect";
import type { Step } from "@switchyard/model";

export class ServiceError extends Data.TaggedError("ServiceError")<{
  readonly reason: "Failed" | "Timeout" | "Unavailable" | "Injected";
  readonly service: string;
  readonly message: string;
  readonly lastLines: ReadonlyArray<string>;
}> {}

export type ServiceOutcome = "executed" | "recorded";

export interface ServiceManagerService {
  readonly kind: "none" | "s6" | "memory";
  /** Names of services that are up, or null when there is no manager to ask. */
  readonly live: Effect.Effect<ReadonlyArray<string> | null, ServiceError>;
  readonly stop: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
  readonly start: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
  readonly restart: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
  readonly reload: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
}

export class ServiceManager extends Context.Tag("switchyard/ServiceManager")<ServiceManager, ServiceManagerService>() {}

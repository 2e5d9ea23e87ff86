/**
 * The service-manager port: which services are up, what each one runs, and the four service
 * operations. With no manager (`none`) steps are recorded, not executed, and `live` and `status`
 * are null so the model assumes the running generation's services are up. Every operation is
 * idempotent (a step may run again after a crash): starting a service that already runs the
 * requested revision, or stopping one that is gone, does nothing.
 */
import { Context, Data, type Effect } from "effect";
import type { Step, SystemStatus } from "@switchyard/model";

export class ServiceError extends Data.TaggedError("ServiceError")<{
  /** Failed: it exited or a command failed; Timeout: it did not come up or go down in time; Unavailable: no supervisor. */
  readonly reason: "Failed" | "Timeout" | "Unavailable" | "Injected";
  readonly service: string;
  readonly message: string;
  /** The service's (or its command's) last output lines, for the report. */
  readonly lastLines: ReadonlyArray<string>;
}> {}

export type ServiceOutcome = "executed" | "recorded";

export interface ServiceManagerService {
  readonly kind: "none" | "s6" | "memory";
  /** Names of services that are up, or null when there is no manager to ask. */
  readonly live: Effect.Effect<ReadonlyArray<string> | null, ServiceError>;
  /** Every supervised service, up or down, with the revision it runs; null when there is no manager. */
  readonly status: Effect.Effect<ReadonlyArray<SystemStatus.Observed> | null, ServiceError>;
  /** Run the record's `stop` command (if any), bring the service down and stop supervising it. */
  readonly stop: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
  /** Supervise the service with this record and bring it up; it must stay up for the settle time. */
  readonly start: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
  /** Replace what the service runs with this record and restart it in place. */
  readonly restart: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
  /** Run the record's `reload` command against the running service (non-zero exit fails). */
  readonly reload: (ref: Step.ServiceRef) => Effect.Effect<ServiceOutcome, ServiceError>;
}

export class ServiceManager extends Context.Tag("switchyard/ServiceManager")<ServiceManager, ServiceManagerService>() {}

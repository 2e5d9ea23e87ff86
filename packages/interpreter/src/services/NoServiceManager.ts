/**
 * `--service-manager none`: no supervisor to ask or command, for offline planning. The live set and
 * the status are unknown (the model then assumes the running generation's services are up) and
 * service steps are recorded, not executed; apply says so.
 */
import { Effect, Layer } from "effect";
import { ServiceManager, type ServiceManagerService } from "../ports/ServiceManager.js";

const recorded = () => Effect.succeed("recorded" as const);

export const noServiceManager: ServiceManagerService = {
  kind: "none",
  live: Effect.succeed(null),
  status: Effect.succeed(null),
  stop: recorded,
  start: recorded,
  restart: recorded,
  reload: recorded,
};

export const NoServiceManagerLive = Layer.succeed(ServiceManager, noServiceManager);

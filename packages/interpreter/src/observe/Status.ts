/**
 * What `switchyard status` shows, observed: the world (links, generations) and the service
 * manager's view of every supervised service, put side by side by the model. Also used after a
 * failed apply to say exactly where the machine stands.
 */
import { SystemStatus, type World } from "@switchyard/model";
import { Effect } from "effect";
import { ObserveError } from "../Errors.js";
import * as Observe from "./Observe.js";
import { ServiceManager } from "../ports/ServiceManager.js";
import type * as Root from "../root/Root.js";

export const observe = Effect.fn("observeStatus")(function* (root: Root.Root, settings: World.Settings) {
  const world = yield* Observe.world(root, settings);
  const manager = yield* ServiceManager;
  const services = yield* manager.status.pipe(
    Effect.mapError((e) => new ObserveError({ reason: "Io", message: `cannot ask the service manager for the services' state: ${e.message}` })),
  );
  return SystemStatus.of(world, manager.kind, services);
});

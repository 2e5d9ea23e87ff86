/**
 * What `switchyard status` shows, observed: the world (links, generations) and the service
 * manager's view of every supervised service, put side by side by the model. Also used after a
 * failed apply to say exactly where the machine stands. It never fails because of the service
 * manager: when that cannot be asked (no supervisor running), the generations are still shown and
 * the status says why the services are missing.
 */
import { SystemStatus, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as Observe from "./Observe.js";
import { ServiceManager } from "../ports/ServiceManager.js";
import type * as Root from "../root/Root.js";

export const observe = Effect.fn("observeStatus")(function* (root: Root.Root, settings: World.Settings) {
  const manager = yield* ServiceManager;
  const answer = yield* Effect.either(manager.status);
  const services = answer._tag === "Right" ? answer.right : null;
  // One question to the manager: the world's live names and revisions are read from the same answer.
  const live = Effect.succeed(services === null ? null : services.filter((o) => o.up).map((o) => o.name));
  const world = yield* Observe.world(root, settings).pipe(Effect.provideService(ServiceManager, { ...manager, live, status: Effect.succeed(services) }));
  const error = answer._tag === "Left" ? `the service manager could not be asked: ${answer.left.message}` : null;
  return SystemStatus.of(world, manager.kind, services, error);
});

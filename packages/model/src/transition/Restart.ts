/**
 * Paying restart debt: restart services onto the CURRENT generation's code — the named ones, or
 * (`debt`) every one a switch left on old code — as a plan like any other. Restarting through the
 * supervisor alone would restart the old code; here each step carries the current generation's
 * record. A service owed because it was removed from the current generation (kept running by
 * `stopOnRemoval: false`) is stopped instead. The debt record is rewritten without them, and the
 * revert puts each owed service back on the code it ran, from that generation's record.
 */
import * as E from "fp-ts/lib/Either.js";
import * as Manifest from "../world/Manifest.js";
import * as Nearest from "../internal/Nearest.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import * as RestartDebt from "../services/RestartDebt.js";
import * as ServiceGraph from "../services/ServiceGraph.js";
import type * as ServiceRecord from "../services/ServiceRecord.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

export type Request = Extract<Plan.Operation, { readonly _tag: "Restart" }>;

type Ref = Step.ServiceRef;

/** The record `name` had in the code an entry says it runs, when that generation can still be read. */
const oldRef = (world: World.World, runs: RestartDebt.Entry["runs"], name: string): Ref | null => {
  const g = runs.generation === null ? undefined : World.generation(world, runs.generation);
  const manifest = g !== undefined ? g.manifest : runs.system !== null && runs.system === world.running.system ? world.running.manifest : null;
  if (manifest === null || manifest._tag === "Invalid" || runs.system === null) return null;
  const record = manifest.manifest.services.find((r) => r.name === name);
  return record === undefined ? null : { system: runs.system, generation: runs.generation === null ? null : (runs.generation as Ref["generation"]), record };
};

export const plan = (world: World.World, request: Request): E.Either<PlanError.PlanError, Plan.Plan> => {
  const current = world.current === null ? undefined : World.generation(world, world.current);
  if (current === undefined) return E.left(PlanError.failed("there is no current generation, so no code to restart onto; switch to one first"));
  if (current.manifest._tag === "Invalid") return E.left(PlanError.invalid(`cannot restart onto generation ${current.number}: ${Manifest.errorLine(current.manifest.error)}`));
  if (world.running.generation !== current.number) {
    const running = world.running.generation === null ? "another system" : `generation ${world.running.generation}`;
    return E.left(
      PlanError.failed(`generation ${current.number} is current but ${running} is running; restarting onto generation ${current.number}'s code would mix the two: switch first ('switchyard apply switch ${current.number}')`),
    );
  }
  const graph = Manifest.graphOf(current.manifest.manifest);
  const owed = new Map(RestartDebt.standing(world).map((e) => [e.service, e] as const));
  for (const name of request.services) {
    if (graph.records.has(name as ServiceRecord.ServiceName) || owed.has(name)) continue;
    const near = Nearest.closest(name, graph.records.keys());
    return E.left(PlanError.invalid(`'${name}' is not a service of generation ${current.number}${near === null ? "; see 'switchyard describe'" : `; did you mean '${near}'?`}`));
  }
  const wanted = new Set(request.debt ? [...request.services, ...owed.keys()] : request.services);
  const warnings: Array<string> = [];
  const steps: Array<Step.Step> = [];
  const revert: Array<Step.Step> = [];
  const stopped: Array<string> = [];
  // Owed but no longer in the current generation: paying means stopping it, with the record it runs.
  for (const name of [...wanted].filter((n) => !graph.records.has(n as ServiceRecord.ServiceName)).sort(ServiceGraph.compareNames)) {
    const entry = owed.get(name) as RestartDebt.Entry;
    const ref = oldRef(world, entry.runs, name);
    if (ref === null) {
      warnings.push(`${name} runs code of generation ${entry.runs.generation ?? "?"}, whose record is gone; it cannot be stopped from here`);
      continue;
    }
    steps.push({ _tag: "StopService", service: ref });
    revert.unshift({ _tag: "StartService", service: ref });
    stopped.push(name);
  }
  const restarted = ServiceGraph.inDependencyOrder(graph, wanted);
  for (const name of restarted) {
    const record = graph.records.get(name) as ServiceRecord.ServiceRecord;
    steps.push({ _tag: "RestartService", service: { system: current.system, generation: current.number, record } });
    const entry = owed.get(name);
    if (entry === undefined) continue;
    // Back onto the code it ran, if that generation's record can still be read.
    const back = oldRef(world, entry.runs, name);
    if (back === null) warnings.push(`${name} runs code of generation ${entry.runs.generation ?? "?"}, whose record is gone: if its restart fails, it cannot be put back`);
    else revert.unshift({ _tag: "RestartService", service: back });
  }
  const paid = new Set<string>([...stopped, ...restarted]);
  const debt = RestartDebt.step(world, RestartDebt.standing(world).filter((e) => !paid.has(e.service)));
  if (debt !== null) {
    steps.push(debt);
    revert.push(RestartDebt.restore(world));
  }
  return E.right(
    Plan.make(world, {
      operation: request,
      // Now only: the boot default and the boot menu are not touched.
      mode: "test",
      to: current.number,
      boot: null,
      services: { stop: [...stopped].sort(ServiceGraph.compareNames), start: [], restart: [...restarted].sort(ServiceGraph.compareNames), reload: [], skip: [], unchanged: [] },
      steps: steps.length === 0 ? [] : [...steps, { _tag: "Commit" }],
      revert,
      warnings,
    }),
  );
};

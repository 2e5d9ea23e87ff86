/**
 * The whole transition between two states of the machine, as data: `between(world, request)`
 * gives the plan for switch, rollback (in any mode, `try` included) and delete; `adding(...)` the
 * plan that registers a built system directory; `savedRequest(plan)` what to call again to check a
 * saved plan. Phase order for a live switch: stop (old code) → point /run/current-system at the
 * target and activate it → reload → restart → start → check the links the commit relies on →
 * Commit → profile link and boot config. The boot default therefore only moves after everything
 * else succeeded, and `revert` (computed up front from the forward steps, see `Revert`) is what a
 * failure before Commit runs. A trial (`try`) activates nothing and leaves the profile alone: only
 * the boot menu changes, after Commit.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as Activation from "./Activation.js";
import * as Addition from "./Addition.js";
import * as BootMenu from "./BootMenu.js";
import * as Deletion from "./Deletion.js";
import * as Hooks from "./Hooks.js";
import type { GenerationNumber } from "../world/GenerationNumber.js";
import * as Manifest from "../world/Manifest.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as InRootPath from "../paths/InRootPath.js";
import type * as PlanRequest from "../plan/Request.js";
import * as Restart from "./Restart.js";
import * as RestartDebt from "../services/RestartDebt.js";
import * as Revert from "./Revert.js";
import * as ServiceDiff from "../services/ServiceDiff.js";
import * as ServiceGraph from "../services/ServiceGraph.js";
import * as ServiceRevision from "../services/ServiceRevision.js";
import * as Spec from "../select/Spec.js";
import * as SnapshotPlan from "../state/SnapshotPlan.js";
import * as StateTransition from "../state/StateTransition.js";
import * as StateWorld from "../state/StateWorld.js";
import * as SystemFormat from "../world/SystemFormat.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

export interface Request {
  readonly operation: PlanRequest.Between;
  readonly mode: Plan.Mode;
  readonly services?: ServiceDiff.Policy;
  /** `--state` (default `auto`: each service's own restore rule). */
  readonly state?: PlanRequest.StatePolicy;
  /** Boot attempts for mode "try" (default 1; recorded in the plan). */
  readonly attempts?: number;
  /** Milliseconds since the epoch, for duration patterns (recorded in delete plans). */
  readonly nowMs: number;
}

export const between = (world: World.World, request: Request): E.Either<PlanError.PlanError, Plan.Plan> => {
  const op = request.operation;
  switch (op._tag) {
    case "Switch":
      return pipe(
        Spec.parse(op.spec),
        E.chain((spec) => Spec.resolve(spec, numbers(world), world.current)),
        E.mapLeft(specError),
        E.chain((target) => switchTo(world, request, target as GenerationNumber)),
      );
    case "Rollback":
      return pipe(
        Spec.previous(numbers(world), world.current),
        E.mapLeft(specError),
        E.chain((target) => switchTo(world, request, target as GenerationNumber)),
      );
    case "Delete":
      return Deletion.plan(world, op.pattern, request.nowMs);
    case "Restart":
      return Restart.plan(world, op);
    case "SnapshotSave":
      return SnapshotPlan.save(world, op, request.nowMs);
    case "SnapshotRestore":
      return SnapshotPlan.restore(world, op, request.nowMs);
  }
};

/** The generation a switch or rollback goes to (as `between` resolves it), or null for other operations and specs that name none. */
export const targetOf = (world: World.World, op: PlanRequest.Between): number | null => {
  const target =
    op._tag === "Switch"
      ? pipe(Spec.parse(op.spec), E.mapLeft(specError), E.chain((spec) => E.mapLeft(specError)(Spec.resolve(spec, numbers(world), world.current))))
      : op._tag === "Rollback"
        ? E.mapLeft(specError)(Spec.previous(numbers(world), world.current))
        : E.left(null);
  return E.isRight(target) ? target.right : null;
};

/** The plan that registers `added.system` as the next generation. */
export const adding = (world: World.World, added: Addition.NewSystem): E.Either<PlanError.PlanError, Plan.Plan> => Addition.plan(world, added);

/**
 * The request a plan answers, as recorded in it: `between` again, or `adding` again once the
 * caller has read the manifest of `system` again.
 */
export type SavedRequest =
  | { readonly _tag: "Between"; readonly request: Request }
  | { readonly _tag: "Adding"; readonly system: InRootPath.InRootPath; readonly nowMs: number; readonly utcOffsetMinutes: number }
  /** `Bless.plan` again, from the booted generation and the bootloader's files. */
  | { readonly _tag: "Blessing"; readonly verdict: PlanRequest.Verdict };

export const savedRequest = (plan: Plan.Plan): SavedRequest => {
  const op = plan.operation;
  if (op._tag === "Add") return { _tag: "Adding", system: op.system, nowMs: plan.nowMs ?? 0, utcOffsetMinutes: plan.utcOffsetMinutes ?? 0 };
  if (op._tag === "Bless") return { _tag: "Blessing", verdict: op.verdict };
  const attempts = plan.attempts === null ? {} : { attempts: plan.attempts };
  return { _tag: "Between", request: { operation: op, mode: plan.mode, services: plan.servicesPolicy, state: plan.statePolicy, nowMs: plan.nowMs ?? 0, ...attempts } };
};

const numbers = (world: World.World): ReadonlyArray<number> => world.generations.map((g) => g.number);

const specError = (e: Spec.SpecError): PlanError.PlanError =>
  e._tag === "InvalidSpec" || e._tag === "NoSuchGeneration" ? PlanError.invalid(e.message) : PlanError.failed(e.message);

const switchTo = (world: World.World, request: Request, number: GenerationNumber): E.Either<PlanError.PlanError, Plan.Plan> => {
  const target = World.generation(world, number);
  if (target === undefined) return E.left(PlanError.invalid(`generation ${number} does not exist; see 'switchyard list'`));
  if (target.manifest._tag === "Invalid") {
    return E.left(PlanError.invalid(`cannot switch to generation ${number}: ${Manifest.errorLine(target.manifest.error)}`));
  }
  const manifest = target.manifest.manifest;
  const warnings: Array<string> = [];
  const live = request.mode !== "boot" && request.mode !== "try";
  const foreign = live ? SystemFormat.servicesNote(world, target) : null;
  if (foreign !== null) warnings.push(foreign);
  const observedSide = runningSide(world, warnings);
  const running = foreign === null ? observedSide : { ...observedSide, graph: ServiceGraph.empty };
  const next = foreign === null ? Manifest.graphOf(manifest) : ServiceGraph.empty;
  const liveNames = foreign === null ? new Set(world.liveServices ?? running.graph.order) : new Set<string>();
  const planned = live ? ServiceDiff.between(running.graph, next, liveNames, request.services ?? "live", runsAgainst(world, target.system, next)) : null;
  const placedOrError =
    planned === null
      ? E.right(null)
      : StateTransition.place(
          { world, running, target, next, diff: planned, live: liveNames, policy: request.state ?? "auto", nowMs: request.nowMs },
          (name) => StateWorld.dataEpochOf(world, name),
          request.nowMs,
          StateWorld.storeOf(world),
        );
  if (E.isLeft(placedOrError)) return placedOrError;
  const placed = placedOrError.right;
  const diff = placed === null ? planned : placed.diff;

  const steps: Array<Step.Step> = [];
  const revert: Array<Step.Step> = [];
  if (diff !== null) {
    const forward = forwardSteps(world, running, target, manifest, diff, request.mode, placed);
    const debt = RestartDebt.step(
      world,
      RestartDebt.after(world, {
        diff,
        running: { generation: running.generation, system: running.system },
        target: { generation: number, system: target.system, services: new Set(manifest.services.map((s) => s.name)) },
        conservative: request.services === "conservative",
      }),
    );
    steps.push(...forward, ...(debt === null ? [] : [debt]));
    if (forward.length > 0 || debt !== null) {
      revert.push(...Revert.steps(world, { diff, live: liveNames, running, target }, placed));
      if (debt !== null) revert.push(RestartDebt.restore(world));
    }
    if (forward.length > 0) steps.push(...commitChecks(world, target, request.mode));
  }
  const commitSteps: Array<Step.Step> = [];
  let boot: Plan.BootSummary | null = null;
  if (request.mode !== "test") {
    const profileLink = World.linkNameOf(world.settings, number);
    // A trial leaves the profile (the permanent default) alone: `bless` moves it.
    if (request.mode !== "try" && world.profileTarget !== profileLink) commitSteps.push({ _tag: "ReplaceSymlink", path: world.settings.profile, target: profileLink });
    const menu = bootMenu(world, request, number, warnings);
    if (E.isLeft(menu)) return menu;
    if (menu.right !== null) {
      commitSteps.push(...menu.right.steps);
      boot = menu.right.summary;
    }
  }
  if (placed !== null && steps.length > 0) commitSteps.push(...placed.afterCommit);
  const all = steps.length + commitSteps.length === 0 ? [] : [...steps, { _tag: "Commit" } as const, ...commitSteps];
  const snapshots = placed?.entries.some((e) => e.saved !== null) === true;
  return E.right(
    Plan.make(world, {
      operation: request.operation,
      mode: request.mode,
      servicesPolicy: request.services ?? "live",
      statePolicy: request.state ?? "auto",
      // Snapshot ids are made from the clock reading, so a saved plan must recompute with the same one.
      nowMs: snapshots ? request.nowMs : null,
      state: placed?.entries ?? [],
      attempts: request.mode === "try" ? attemptsOf(request) : null,
      to: number,
      boot,
      services: diff === null ? Plan.emptyServices : ServiceDiff.summary(diff),
      steps: all,
      revert,
      warnings,
      preSwitch: all.length === 0 ? null : Hooks.preSwitch(world, target, request.mode),
    }),
  );
};

interface Side {
  readonly system: World.Generation["system"] | null;
  readonly generation: GenerationNumber | null;
  readonly graph: ServiceGraph.ServiceGraph;
}

/** The generation whose code runs now; its services are what the diff starts from. */
const runningSide = (world: World.World, warnings: Array<string>): Side => {
  const r = world.running;
  if (r.manifest?._tag === "Invalid") {
    warnings.push(`the running system's manifest is invalid (${Manifest.errorLine(r.manifest.error)}); its services are treated as unknown`);
  }
  const graph = r.manifest?._tag === "Valid" ? Manifest.graphOf(r.manifest.manifest) : ServiceGraph.empty;
  return { system: r.system, generation: r.generation, graph };
};

type Ref = Step.ServiceRef;
type Record_ = Ref["record"];

/** (dumps) → stop (each followed by its snapshot and restore) → (current-system link, activation, post-switch hook) → reload → restart → start (each followed by its load) → (data epochs) → (health hook). */
const phases = (
  diff: ServiceDiff.ServiceDiff,
  oldRef: (r: Record_) => Ref,
  newRef: (r: Record_) => Ref,
  middle: ReadonlyArray<Step.Step>,
  state: StateTransition.Placed | null,
): Array<Step.Step> => [
  ...(state?.first ?? []),
  ...diff.stop.flatMap((r): Array<Step.Step> => [{ _tag: "StopService", service: oldRef(r) }, ...(state?.afterStop(r.name) ?? [])]),
  ...(state?.afterStops ?? []),
  ...middle,
  ...diff.reload.map((r): Step.Step => ({ _tag: "ReloadService", service: newRef(r) })),
  ...diff.restart.map((r): Step.Step => ({ _tag: "RestartService", service: newRef(r) })),
  ...diff.start.flatMap((r): Array<Step.Step> => [{ _tag: "StartService", service: newRef(r) }, ...(state?.afterStart(r.name) ?? [])]),
  ...(state?.last ?? []),
];

const refTo = (system: World.Generation["system"], generation: GenerationNumber | null) => (record: Record_): Ref => ({ system, generation, record });

const forwardSteps = (
  world: World.World,
  running: Side,
  target: World.Generation,
  manifest: Manifest.Manifest,
  diff: ServiceDiff.ServiceDiff,
  mode: Plan.Mode,
  state: StateTransition.Placed | null,
): Array<Step.Step> => {
  const moves = world.running.system !== target.system;
  const middle: Array<Step.Step> = moves
    ? [
        { _tag: "ReplaceSymlink", path: World.Paths.currentSystem, target: target.system },
        ...Activation.of(target.system, manifest, mode === "test" ? "test" : "switch", target.format),
        ...Hooks.step("postSwitch", world, target, manifest, mode),
      ]
    : [];
  // The health hook asks the target once its services are up; still before Commit, so a "no" reverts.
  const health = moves ? Hooks.step("checkHealth", world, target, manifest, mode) : [];
  return [...phases(diff, refTo(running.system ?? target.system, running.generation), refTo(target.system, target.number), middle, state), ...health];
};

/**
 * What the commit relies on, read again just before it: the target's generation link still points
 * at the target, /run/current-system at what the forward steps left it on, and (unless in test
 * mode, which never moves it) the profile link where it was. An activation that removed or
 * retargeted any of them fails the switch there, before Commit, so it is reverted instead of
 * leaving a dangling profile.
 */
const commitChecks = (world: World.World, target: World.Generation, mode: Plan.Mode): Array<Step.Step> => [
  { _tag: "CheckLink", path: target.link, target: target.system },
  { _tag: "CheckLink", path: World.Paths.currentSystem, target: world.running.system === target.system ? world.running.target : target.system },
  ...(mode === "test" ? [] : [{ _tag: "CheckLink", path: world.settings.profile, target: world.profileTarget } as const]),
];

/** For each service up now, whether it runs the target's revision of it (unknown revisions are left out). */
const runsAgainst = (world: World.World, system: World.Generation["system"], next: ServiceGraph.ServiceGraph): ServiceDiff.Runs => {
  const runs = new Map<string, "target" | "other">();
  for (const [name, revision] of world.serviceRevisions ?? []) {
    const record = next.records.get(name as Record_["name"]);
    if (revision !== null && record !== undefined) runs.set(name, ServiceRevision.of(system, record) === revision ? "target" : "other");
  }
  return runs;
};

const attemptsOf = (request: Request): number => request.attempts ?? 1;

/** The menu with `target` as the default, or on trial ahead of the current default in mode "try". */
const bootMenu = (world: World.World, request: Request, target: GenerationNumber, warnings: Array<string>) => {
  if (request.mode !== "try") return BootMenu.write(world, { default: target, trial: null }, warnings);
  if (world.bootConfig === null || world.settings.bootloader === "none") {
    return E.left(PlanError.invalid("--mode try needs a bootloader to count the attempts; use --bootloader grub or systemd-boot"));
  }
  if (world.current === null) return E.left(PlanError.invalid("a trial boot needs a current generation to fall back to; switch to one first"));
  return BootMenu.write(world, { default: world.current, trial: { target, attempts: attemptsOf(request) } }, warnings);
};

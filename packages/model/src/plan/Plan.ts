/**
 * A plan: the whole transition from one state of the machine to another, as data. It is the only
 * input of `apply`: it records the request it answers, the settings it runs with (service manager,
 * paths, timeouts) and the preconditions (what the world looked like), so a stale plan is refused
 * instead of replayed. `PlanFile` is its saved form.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as t from "io-ts";
import * as Canonical from "../internal/Canonical.js";
import * as Assessment from "../checks/Assessment.js";
import * as Choice from "../checks/Choice.js";
import * as Item from "../checks/Item.js";
import { GenerationNumberCodec, type GenerationNumber } from "../world/GenerationNumber.js";
import { firstError } from "../internal/Report.js";
import * as Preconditions from "./Preconditions.js";
import * as Request from "./Request.js";
import { Settings } from "../world/Settings.js";
import { StateEntry } from "../state/StateEntry.js";
import { SnapshotStore } from "../state/SnapshotStore.js";
import * as StateWorld from "../state/StateWorld.js";
import * as Step from "./Step.js";
import type * as World from "../world/World.js";

export const Mode = Request.Mode;
export type Mode = Request.Mode;
export const Operation = Request.Operation;
export type Operation = Request.Operation;

const Names = t.readonlyArray(t.string);

/** Sorted name lists; a service stopped before activation and started after is in both stop and start. */
export const ServiceSummary = t.readonly(
  t.type({ stop: Names, start: Names, restart: Names, reload: Names, skip: Names, unchanged: Names }, "ServiceSummary"),
);
export type ServiceSummary = t.TypeOf<typeof ServiceSummary>;

export const emptyServices: ServiceSummary = { stop: [], start: [], restart: [], reload: [], skip: [], unchanged: [] };

/**
 * The boot menu the plan writes: default entry first, then every other listed generation newest
 * first; the generation on trial (booted next, `attempts` times at most, before the default takes
 * over again) and how many generations the menu limit left out.
 */
export const BootSummary = t.readonly(
  t.intersection(
    [
      t.type({ default: GenerationNumberCodec, entries: t.readonlyArray(GenerationNumberCodec) }),
      t.partial({ trial: t.union([t.readonly(t.type({ generation: GenerationNumberCodec, attempts: t.union([t.number, t.null]) })), t.null]), omitted: t.number }),
    ],
    "BootSummary",
  ),
);
export type BootSummary = t.TypeOf<typeof BootSummary>;

const OrNull = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const Plan = t.readonly(
  t.intersection(
    [
      t.type({
        operation: Request.Operation,
        mode: Request.Mode,
        servicesPolicy: Request.ServicesPolicy,
        /** `--state`: how services' data is treated (`auto`: by each service's own rule). */
        statePolicy: Request.StatePolicy,
        /** The clock reading the planner used (delete's duration patterns, add's creation time); null when it used none. */
        nowMs: OrNull(t.number),
        /** Local time offset at `nowMs` (minutes east of UTC), when the plan labels something with it (add). */
        utcOffsetMinutes: OrNull(t.number),
        /** Boot attempts the trial gets (mode "try"); null for every other mode. */
        attempts: OrNull(Request.Attempts),
        from: OrNull(GenerationNumberCodec),
        to: OrNull(GenerationNumberCodec),
        running: OrNull(GenerationNumberCodec),
        delete: t.readonlyArray(GenerationNumberCodec),
        boot: OrNull(BootSummary),
        services: ServiceSummary,
        /** What the transition does with each stateful service's data, sorted by service. */
        state: t.readonlyArray(StateEntry),
        settings: Settings,
        /** How the snapshots it takes are stored and how many are kept: the config's `snapshots` when it was computed (never the identity). */
        snapshots: SnapshotStore,
        preconditions: Preconditions.Preconditions,
        steps: t.readonlyArray(Step.Step),
        /** Run when a step before `Commit` fails: the way back to the state the plan started from. */
        revert: t.readonlyArray(Step.Step),
        warnings: t.readonlyArray(t.string),
        /** What the checks report for the transition (`checks/Assessment`); empty for a plan that switches to no generation. */
        items: t.readonlyArray(Item.Item),
        /** The transition the items and choices belong to (`Choice.keyOf`); null when the plan switches to no generation. */
        choiceKey: OrNull(Choice.Transition),
        /** The recorded choices that settle some of those items. */
        choices: t.readonlyArray(Choice.Choice),
        /** The chosen resolutions' migrations (`Choice.chosenMigrations`), run as a graph after the commit (`BeginMigrations`); [] when none. */
        migrations: t.readonlyArray(Item.Migration),
      }),
      /** The leaving generation's pre-switch hook: run at `plan` and under the lock before anything changes; a non-zero exit vetoes. */
      t.partial({ preSwitch: OrNull(Step.HookInvocation) }),
    ],
    "Plan",
  ),
);
export type Plan = t.TypeOf<typeof Plan>;

/** What only the planner of one operation knows; `make` adds what every plan takes from the world. */
export interface Parts {
  readonly operation: Operation;
  readonly mode: Mode;
  readonly servicesPolicy?: Request.ServicesPolicy;
  readonly statePolicy?: Request.StatePolicy;
  readonly nowMs?: number | null;
  readonly utcOffsetMinutes?: number | null;
  readonly attempts?: number | null;
  readonly to: GenerationNumber | null;
  readonly delete?: ReadonlyArray<GenerationNumber>;
  readonly boot: BootSummary | null;
  readonly services?: ServiceSummary;
  readonly state?: ReadonlyArray<StateEntry>;
  readonly steps: ReadonlyArray<Step.Step>;
  readonly revert?: ReadonlyArray<Step.Step>;
  readonly warnings: ReadonlyArray<string>;
  readonly preSwitch?: Step.HookInvocation | null;
  readonly migrations?: ReadonlyArray<Item.Migration>;
}

/** The one constructor of a plan: its request, the world's settings and preconditions, the steps, and what it knows of its checks. */
export const make = (world: World.World, parts: Parts): Plan => Assessment.initial(world, made(world, parts));

const made = (world: World.World, parts: Parts): Plan => ({
  operation: parts.operation,
  mode: parts.mode,
  servicesPolicy: parts.servicesPolicy ?? "live",
  statePolicy: parts.statePolicy ?? "auto",
  nowMs: parts.nowMs ?? null,
  utcOffsetMinutes: parts.utcOffsetMinutes ?? null,
  attempts: parts.attempts ?? null,
  from: world.current,
  to: parts.to,
  running: world.running.generation,
  delete: parts.delete ?? [],
  boot: parts.boot,
  services: parts.services ?? emptyServices,
  state: parts.state ?? [],
  settings: world.settings,
  snapshots: StateWorld.storeOf(world),
  preconditions: Preconditions.of(world),
  steps: parts.steps,
  revert: parts.revert ?? [],
  warnings: parts.warnings,
  ...(parts.preSwitch === undefined || parts.preSwitch === null ? {} : { preSwitch: parts.preSwitch }),
  // Filled in by `Assessment.initial`, and completed by the interpreter's run of the checks.
  items: [],
  choiceKey: null,
  choices: [],
  migrations: parts.migrations ?? [],
});

export const encode = (plan: Plan): unknown => Plan.encode(plan);

export type DecodeError = { readonly _tag: "PlanDecodeError"; readonly field: string; readonly message: string };

export const decode = (json: unknown): E.Either<DecodeError, Plan> =>
  pipe(
    Plan.decode(json),
    E.mapLeft((errors) => ({ _tag: "PlanDecodeError" as const, ...firstError(errors) })),
  );

/** A plan with no steps changes nothing. */
export const isEmpty = (plan: Plan): boolean => plan.steps.every((s) => s._tag === "Commit");

/** Index of the Commit step, or the length when the plan has none (nothing to make permanent). */
export const commitIndex = (plan: Plan): number => {
  const i = plan.steps.findIndex((s) => s._tag === "Commit");
  return i < 0 ? plan.steps.length : i;
};

/** Where two plans first do something different; a missing step is null. */
export interface Difference {
  readonly phase: "steps" | "revert";
  readonly index: number;
  readonly saved: Step.Step | null;
  readonly fresh: Step.Step | null;
}

const same = (a: Step.Step, b: Step.Step): boolean => Canonical.stringify(Step.Step.encode(a)) === Canonical.stringify(Step.Step.encode(b));

/** The first step (forward, then revert) where `fresh` does not do exactly what `saved` does. */
export const firstDifference = (saved: Plan, fresh: Plan): Difference | null => {
  for (const phase of ["steps", "revert"] as const) {
    const a = saved[phase];
    const b = fresh[phase];
    for (let index = 0; index < Math.max(a.length, b.length); index++) {
      const s = a[index] ?? null;
      const f = b[index] ?? null;
      if (s === null || f === null || !same(s, f)) return { phase, index, saved: s, fresh: f };
    }
  }
  return null;
};

/** "step 3 is 'write /boot/grub/grub.cfg (812 bytes)' in the saved plan but 'no step' in a fresh plan". */
export const describeDifference = (d: Difference): string => {
  const text = (s: Step.Step | null) => (s === null ? "no step" : `'${Step.describe(s)}'`);
  const saved = text(d.saved);
  const fresh = text(d.fresh);
  // Two steps can read the same and differ in what they carry (a file's content, a service's record).
  const detail = saved === fresh ? " with other contents" : "";
  return `${d.phase === "steps" ? "step" : "revert step"} ${d.index + 1} is ${saved} in the saved plan but ${fresh}${detail} in a fresh plan`;
};

/**
 * A plan: the whole transition from one state of the machine to another, as versioned data. It is
 * the only input of `apply`, it round-trips through `plan --out` / `apply --plan`, and it carries
 * the preconditions (what the world looked like) so a stale plan is refused instead of replayed.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as t from "io-ts";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import { firstError } from "../internal/Report.js";
import { Step } from "./Step.js";

export const FORMAT = "switchyard-plan";
export const VERSION = 1;

export const Mode = t.union([t.literal("switch"), t.literal("boot"), t.literal("test"), t.literal("try")], "Mode");
export type Mode = t.TypeOf<typeof Mode>;

export const Operation = t.union(
  [
    t.readonly(t.type({ _tag: t.literal("Switch"), spec: t.string }, "Switch")),
    t.readonly(t.type({ _tag: t.literal("Rollback") }, "Rollback")),
    t.readonly(t.type({ _tag: t.literal("Delete"), pattern: t.union([t.string, t.null]) }, "Delete")),
    t.readonly(t.type({ _tag: t.literal("Add"), system: t.string }, "Add")),
    t.readonly(t.type({ _tag: t.literal("Bless"), verdict: t.union([t.literal("good"), t.literal("bad")]) }, "Bless")),
  ],
  "Operation",
);
export type Operation = t.TypeOf<typeof Operation>;

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

/** What apply re-observes before touching anything; any difference makes the plan stale. */
export const Preconditions = t.readonly(
  t.type(
    {
      profileTarget: t.union([t.string, t.null]),
      generations: t.readonlyArray(t.readonly(t.tuple([GenerationNumberCodec, t.string]))),
      currentSystem: t.union([t.string, t.null]),
      bootConfigDigest: t.union([t.string, t.null]),
    },
    "Preconditions",
  ),
);
export type Preconditions = t.TypeOf<typeof Preconditions>;

export const Plan = t.readonly(
  t.type(
    {
      format: t.literal(FORMAT),
      version: t.literal(VERSION),
      operation: Operation,
      mode: Mode,
      from: t.union([GenerationNumberCodec, t.null]),
      to: t.union([GenerationNumberCodec, t.null]),
      running: t.union([GenerationNumberCodec, t.null]),
      delete: t.readonlyArray(GenerationNumberCodec),
      boot: t.union([BootSummary, t.null]),
      services: ServiceSummary,
      serviceManager: t.union([t.literal("none"), t.literal("s6")]),
      preconditions: Preconditions,
      steps: t.readonlyArray(Step),
      /** Run when a step before `Commit` fails: the way back to the state the plan started from. */
      revert: t.readonlyArray(Step),
      warnings: t.readonlyArray(t.string),
    },
    "Plan",
  ),
);
export type Plan = t.TypeOf<typeof Plan>;

export const encode = (plan: Plan): unknown => Plan.encode(plan);

export type DecodeError = { readonly _tag: "PlanDecodeError"; readonly field: string; readonly message: string };

export const decode = (json: unknown): E.Either<DecodeError, Plan> => {
  if (typeof json === "object" && json !== null && (json as { format?: unknown }).format === FORMAT) {
    const version = (json as { version?: unknown }).version;
    if (version !== VERSION) {
      return E.left({ _tag: "PlanDecodeError", field: "version", message: `plan format version ${String(version)} is not supported (this switchyard reads ${VERSION}); compute the plan again` });
    }
  }
  return pipe(
    Plan.decode(json),
    E.mapLeft((errors) => ({ _tag: "PlanDecodeError" as const, ...firstError(errors) })),
  );
};

/** A plan with no steps changes nothing. */
export const isEmpty = (plan: Plan): boolean => plan.steps.every((s) => s._tag === "Commit");

/** Index of the Commit step, or the length when the plan has none (nothing to make permanent). */
export const commitIndex = (plan: Plan): number => {
  const i = plan.steps.findIndex((s) => s._tag === "Commit");
  return i < 0 ? plan.steps.length : i;
};

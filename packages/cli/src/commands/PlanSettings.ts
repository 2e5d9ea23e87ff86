/**
 * `apply --plan FILE` runs with the settings recorded in the plan and no others: no config file is
 * read, and a flag may repeat what the plan says but never change it. A flag that says otherwise
 * is a usage error naming the flag and the plan's value, not a silent override.
 */
import * as fs from "node:fs";
import { Decode, InRootPath, type Plan, PlanFile, Settings } from "@switchyard/model";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import * as Failure from "../render/Failure.js";

const path = (given: string): string => {
  const p = InRootPath.fromAbsolute(given);
  return p._tag === "Right" ? p.right : given;
};
const whole = (given: string): string => (/^[0-9]+$/.test(given) ? String(Number(given)) : given);
const asIs = (given: string): string => given;

/**
 * Each flag that names a setting: how to read its value, the plan's value written as that flag
 * takes it, and (when the flag alone cannot say it) how the message names what the plan runs with.
 */
const FLAGS: ReadonlyArray<readonly [string, (given: string) => string, (plan: Plan.Plan) => string, ((plan: Plan.Plan) => string)?]> = [
  ["profile", path, (p) => p.settings.profile],
  // A layout stands for its profile; with --profile given too, --profile decides.
  ["layout", (given) => Settings.PROFILES[given as Settings.Layout] ?? given, (p) => p.settings.profile, (p) => `--profile ${p.settings.profile}`],
  ["bootloader", asIs, (p) => p.settings.bootloader],
  ["esp", path, (p) => p.settings.boot.esp],
  ["service-manager", asIs, (p) => p.settings.serviceManager],
  ["scan-directory", path, (p) => p.settings.scanDirectory],
  ["service-timeout", whole, (p) => String(p.settings.serviceTimeoutMs / 1000)],
  ["service-settle-ms", whole, (p) => String(p.settings.settleMs)],
  ["activation-timeout", whole, (p) => String(p.settings.activationTimeoutMs / 1000)],
  ["mode", asIs, (p) => p.mode],
  ["services", asIs, (p) => p.servicesPolicy],
  ["state", asIs, (p) => p.statePolicy],
  ["try", whole, (p) => String(p.attempts), (p) => (p.attempts === null ? `--mode ${p.mode}` : `--try ${p.attempts}`)],
];

/** Who takes its settings from `plan`, as the message says it. */
export type Reader = "apply --plan" | "recover";

/** The first flag that contradicts the plan, as the message to print, or null. */
export const conflict = (args: Args.Parsed, plan: Plan.Plan, reader: Reader = "apply --plan"): string | null => {
  for (const [flag, read, planned, shown] of FLAGS) {
    const given = Args.option(args, flag);
    if (given === undefined || read(given) === planned(plan)) continue;
    if (flag === "layout" && Args.option(args, "profile") !== undefined) continue;
    const remedy = reader === "recover" ? "recover finishes or reverts the interrupted apply with the settings it was planned with: leave the flag out" : "apply --plan takes its settings from the plan: leave the flag out, or compute a new plan with it";
    return `--${flag} ${given} contradicts the plan, which runs with ${shown === undefined ? `--${flag} ${planned(plan)}` : shown(plan)}; ${remedy}`;
  }
  return null;
};

/** Paths this switchyard does not let anyone choose must be the ones the plan was made for. */
const foreign = (plan: Plan.Plan): string | null => {
  for (const [name, key] of [["state directory", "stateDirectory"], ["boot config", "bootConfig"]] as const) {
    if (plan.settings[key] !== Settings.defaults[key]) {
      return `the plan was made for the ${name} ${plan.settings[key]}, but this switchyard uses ${Settings.defaults[key]}; compute the plan again`;
    }
  }
  return null;
};

/** Read, verify and check the saved plan of `apply --plan FILE` against the command line. */
export const load = (args: Args.Parsed, file: string) =>
  Effect.gen(function* () {
    if (args.positional.length > 1) return yield* Failure.invalid("give either OPERATION or --plan FILE, not both");
    const text = yield* Effect.try({
      try: () => fs.readFileSync(file, "utf8"),
      catch: (e) => Failure.invalid(`cannot read plan ${file}: ${(e as Error).message}`),
    });
    const plan = PlanFile.fromText(text, file);
    if (plan._tag === "Left") return yield* Failure.invalid(Decode.describe(plan.left));
    const wrong = conflict(args, plan.right);
    if (wrong !== null) return yield* Failure.invalid(wrong);
    const elsewhere = foreign(plan.right);
    return elsewhere === null ? plan.right : yield* Failure.invalid(`${file}: ${elsewhere}`);
  });

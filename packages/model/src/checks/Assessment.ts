/**
 * A plan's items: what each check program's run says (its report, or an error item naming it when
 * it failed, timed out or printed something else), joined with the built-in checks, and attached
 * to the plan with the choices that settle them and the migrations those choices run. A saved plan
 * whose items, choices or migrations differ from a fresh plan's is stale: `difference` says how.
 */
import * as E from "fp-ts/lib/Either.js";
import * as Canonical from "../internal/Canonical.js";
import * as Decode from "../codec/Decode.js";
import type { Plan } from "../plan/Plan.js";
import * as World from "../world/World.js";
import * as Builtin from "./Builtin.js";
import * as Checks from "./Checks.js";
import * as DataEpochCheck from "./DataEpochCheck.js";
import * as Choice from "./Choice.js";
import { Item, Report } from "./Item.js";

/** How a check program's run ended, as the interpreter saw it. */
export type Run =
  | { readonly _tag: "NotStarted"; readonly message: string }
  | {
      readonly _tag: "Ended";
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly timedOut: boolean;
      readonly timeoutSeconds: number;
      /** Standard output, whole (null when it exceeded what a report may hold). */
      readonly stdout: string | null;
      /** The last lines of output, for the item's message. */
      readonly lastLines: ReadonlyArray<string>;
    };

/** The most a report may hold; a check that prints more is broken, not informative. */
export const MAX_REPORT_BYTES = 1024 * 1024;

const failed = (name: string, reason: string): Item => ({
  id: `check:${name}`,
  severity: "error",
  message: `check '${name}' ${reason}; fix the check or what it checks, then plan again`,
  resolutions: [],
});

const tail = (lines: ReadonlyArray<string>): string => {
  const last = lines.filter((l) => l.trim() !== "").at(-1);
  return last === undefined ? "" : ` (last output: ${last.slice(0, 200)})`;
};

/** The items one check's run stands for. */
export const ofRun = (name: string, run: Run): ReadonlyArray<Item> => {
  if (run._tag === "NotStarted") return [failed(name, `could not be run: ${run.message}`)];
  if (run.timedOut) return [failed(name, `timed out after ${run.timeoutSeconds}s`)];
  if (run.exitCode === null) return [failed(name, `was killed by ${run.signal ?? "a signal"}${tail(run.lastLines)}`)];
  if (run.exitCode !== 0) return [failed(name, `exited with status ${run.exitCode}${tail(run.lastLines)}`)];
  if (run.stdout === null) return [failed(name, `printed more than ${MAX_REPORT_BYTES} bytes`)];
  const report = Decode.text(Report, run.stdout, `check '${name}'`);
  if (E.isLeft(report)) return [failed(name, `printed no valid report: ${Decode.describe(report.left)}`)];
  return report.right.items;
};

/**
 * The plan's items: built-in ones first, then each check's in declaration order. An id reported
 * twice would make `choose ITEM` ambiguous, so a second one is an error item of its check.
 */
export const join = (builtin: ReadonlyArray<Item>, checks: ReadonlyArray<readonly [name: string, items: ReadonlyArray<Item>]>): ReadonlyArray<Item> => {
  const out: Array<Item> = [...builtin];
  const ids = new Set(builtin.map((i) => i.id));
  for (const [name, items] of checks) {
    for (const item of items) {
      if (!ids.has(item.id)) {
        ids.add(item.id);
        out.push(item);
        continue;
      }
      const dup = failed(name, `reported item '${item.id}', which another check or an earlier item reports too`);
      if (!ids.has(dup.id)) {
        ids.add(dup.id);
        out.push(dup);
      }
    }
  }
  return out;
};

/**
 * What a plan knows of its checks without running anything: the transition its choices belong to
 * and the built-in items that need no observation beyond the world (a needed reboot). The
 * interpreter's run of the checks (`RunChecks`) completes it; a plan with nothing else to check is
 * then unchanged, so a plan made purely and one made by the CLI agree.
 */
export const initial = (world: World.World, plan: Plan): Plan => {
  const context = Checks.contextOf(world, plan);
  const target = context === null ? null : Checks.targetManifest(world, context);
  if (context === null || target === null) return plan;
  return attach(plan, Choice.keyOf(context), builtin(world, context, target, null, plan), []);
};

/**
 * The built-in items; `observed` null leaves out those that need the root's files or the running
 * kernel. Data the target cannot read is an item only where the plan does not restore a snapshot
 * of it itself (a plan that could do neither was refused before any check ran).
 */
export const builtin = (world: World.World, context: Checks.Context, target: NonNullable<ReturnType<typeof Checks.targetManifest>>, observed: Builtin.Observed | null, plan: Plan): ReadonlyArray<Item> => {
  const running = world.running.manifest?._tag === "Valid" ? world.running.manifest.manifest : null;
  const generation = World.generation(world, context.to);
  const restored = new Set(plan.state.filter((e) => e.action === "restore").map((e) => e.service as string));
  return [
    ...(observed === null ? [] : [...Builtin.users(target.users ?? [], observed), ...Builtin.kernel(target.requires, context.mode, observed.kernelRelease)]),
    ...Builtin.reboot(running, target, context.mode),
    ...(generation === undefined ? [] : DataEpochCheck.items(world, generation, restored)),
  ];
};

/** Whether any item offers a resolution, so that recorded choices could settle it. */
export const choosable = (items: ReadonlyArray<Item>): boolean => items.some((i) => (i.resolutions ?? []).length > 0);

/** The plan with its items, the choices that settle them and the chosen migrations. */
export const attach = (plan: Plan, key: Choice.Transition, items: ReadonlyArray<Item>, choices: ReadonlyArray<Choice.Choice>): Plan => {
  const settled = Choice.valid(items, choices);
  return { ...plan, items, choiceKey: key, choices: settled, migrations: Choice.chosenMigrations(items, settled) };
};

/** Error items of the plan that no choice settles. */
export const unresolved = (plan: Plan): ReadonlyArray<Item> => Choice.unresolved(plan.items, plan.choices);

const text = (plan: Plan, field: "items" | "choices" | "migrations"): string => Canonical.stringify(plan[field]);

/** Why `saved`'s checks no longer say what a fresh plan's say, or null when they agree. */
export const difference = (saved: Plan, fresh: Plan): string | null => {
  if (text(saved, "items") !== text(fresh, "items")) {
    const ids = (p: Plan) => (p.items.length === 0 ? "none" : p.items.map((i) => `${i.severity} ${i.id}`).join(", "));
    return `the checks now report other items (saved: ${ids(saved)}; now: ${ids(fresh)})`;
  }
  if (Canonical.stringify(saved.choiceKey) !== Canonical.stringify(fresh.choiceKey)) return "it was checked for another transition";
  if (text(saved, "choices") !== text(fresh, "choices")) return "the choices recorded for its items changed since it was made";
  if (text(saved, "migrations") !== text(fresh, "migrations")) return "the migrations its choices run changed since it was made";
  return null;
};

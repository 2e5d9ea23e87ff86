/**
 * Deleting generations: which links go (by pattern, never the current, booted or running one),
 * and the boot menu rewritten without them. Only links are removed; the system directories stay
 * until a garbage collector that knows what else refers to them frees them.
 */
import * as E from "fp-ts/lib/Either.js";
import * as BootMenu from "./BootMenu.js";
import * as GenerationNumber from "../world/GenerationNumber.js";
import * as Pattern from "../select/Pattern.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

export const plan = (world: World.World, patternText: string | null, nowMs: number): E.Either<PlanError.PlanError, Plan.Plan> => {
  const parsed: E.Either<Pattern.PatternError, Pattern.Pattern> =
    patternText === null ? E.right({ _tag: "Old" }) : Pattern.parse(patternText, "delete");
  if (E.isLeft(parsed)) return E.left(PlanError.invalid(parsed.left.message));
  const candidates = Pattern.selectForDelete(
    parsed.right,
    world.generations.map((g) => ({ number: g.number, createdMs: g.createdMs })),
    world.current,
    nowMs,
  );
  const warnings: Array<string> = [];
  const protectedAs = new Map<number, string>();
  if (world.booted.generation !== null) protectedAs.set(world.booted.generation, "booted");
  if (world.running.generation !== null) protectedAs.set(world.running.generation, "running");
  if (world.current !== null) protectedAs.set(world.current, "current");
  for (const n of world.pins ?? []) if (!protectedAs.has(n)) protectedAs.set(n, "pinned");
  const doomed: Array<number> = [];
  for (const n of candidates) {
    const why = protectedAs.get(n);
    if (why === undefined) doomed.push(n);
    else warnings.push(`not removing generation ${n}, which is ${why}`);
  }
  if (doomed.length === 0) {
    return E.left(PlanError.failed(warnings.length === 0 ? "no matching generation" : `no matching generation (${warnings.join("; ")})`));
  }
  const gone = new Set(doomed);
  const steps: Array<Step.Step> = [{ _tag: "Commit" }];
  let boot: Plan.BootSummary | null = null;
  if (world.current !== null) {
    const menu = BootMenu.write(world, { default: world.current, trial: "keep" }, warnings, { generations: world.generations.filter((g) => !gone.has(g.number)) });
    if (E.isLeft(menu)) return menu;
    if (menu.right !== null) {
      steps.push(...menu.right.steps);
      boot = menu.right.summary;
    }
  }
  // The menu is rewritten before links go, so no crash leaves an entry for a deleted generation.
  const ascending = [...doomed].sort((a, b) => a - b);
  for (const n of ascending) {
    const g = World.generation(world, n);
    if (g !== undefined) steps.push({ _tag: "RemoveLink", path: g.link, target: g.system });
  }
  return E.right(
    Plan.make(world, {
      operation: { _tag: "Delete", pattern: patternText },
      mode: "switch",
      nowMs,
      to: world.current,
      delete: ascending.map(GenerationNumber.unsafe),
      boot,
      steps,
      warnings,
    }),
  );
};

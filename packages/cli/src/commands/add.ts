/**
 * `switchyard add SYSTEM_DIR`: register a built system directory as generation max+1. SYSTEM_DIR
 * is a path inside the root (like every path of the on-disk layout); a relative one is taken from
 * the working directory and must lie inside the root.
 */
import * as path from "node:path";
import { InRootPath, type Plan, Transition, World } from "@switchyard/model";
import { Apply, Clock, FileSystem, Observe, Root } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Options from "../args/Options.js";
import * as Escape from "../render/Escape.js";
import * as ManifestProblems from "./ManifestProblems.js";

const systemPath = (ctx: CommandContext, given: string) => {
  if (given.startsWith("/")) return InRootPath.fromAbsolute(given);
  const inside = Root.inside(ctx.root, path.resolve(given));
  return inside === null ? InRootPath.fromAbsolute("relative path outside the root") : InRootPath.fromAbsolute(inside);
};

export const run = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const [, given, extra] = ctx.args.positional;
    if (given === undefined || extra !== undefined) return yield* Failure.invalid("usage: switchyard add SYSTEM_DIR");
    const system = systemPath(ctx, given);
    if (system._tag === "Left") return yield* Failure.invalid(`${given}: not a path inside the root ${Root.host(ctx.root, "/")}`);
    const fs = yield* FileSystem;
    const host = Root.host(ctx.root, system.right);
    const stat = yield* Effect.either(fs.lstat(host));
    if (stat._tag === "Left" || stat.right.kind !== "directory") {
      const hint = ctx.root.prefix !== "" && given.startsWith(ctx.root.prefix) ? ` (paths are inside --root; did you mean ${given.slice(ctx.root.prefix.length)}?)` : "";
      return yield* Failure.invalid(`${host} is not a directory${hint}`);
    }
    const options = {
      root: ctx.root,
      settings: ctx.settings,
      command: "add",
      waitLockSeconds: Options.waitLockSeconds(ctx.args),
    };
    // Planned under the lock, so the number it takes is still free when the link is made.
    const compute = Effect.gen(function* () {
      const world = yield* Observe.world(ctx.root, ctx.settings);
      const manifest = yield* Observe.readManifest(ctx.root, system.right);
      if (manifest._tag === "Invalid") return yield* ManifestProblems.refuse(ctx.root, system.right, manifest.error);
      const clock = yield* Clock;
      const nowMs = yield* clock.nowMs;
      const plan = Transition.adding(world, { system: system.right, manifest, nowMs, utcOffsetMinutes: clock.utcOffsetMinutes(nowMs) });
      return plan._tag === "Left" ? yield* Failure.invalid(plan.left.message) : plan.right;
    });
    let existing: Plan.Plan | null = null;
    const outcome = yield* Apply.planAndApply(options, compute, (plan) =>
      Effect.sync(() => {
        if (plan.steps.length === 0) existing = plan;
        return plan.steps.length > 0;
      }),
    );
    if (outcome === null) {
      process.stdout.write(`${Escape.line(`generation ${(existing as Plan.Plan | null)?.to ?? "?"} already points to ${system.right}; nothing added`)}\n`);
      return;
    }
    for (const w of outcome.plan.warnings) process.stderr.write(`warning: ${Escape.line(w)}\n`);
    const link = Root.host(ctx.root, World.linkPathOf(ctx.settings, outcome.plan.to ?? 0));
    process.stdout.write(`${Escape.line(`added generation ${outcome.plan.to}: ${link} -> ${system.right}`)}\n`);
  });

/**
 * `switchyard apply OPERATION [--yes]` computes the plan, shows it, asks (on a terminal) and carries
 * it out; `switchyard apply --plan FILE` carries out a saved plan (read and checked against the
 * flags before the command starts, see `PlanSettings`) after checking, under the lock, that the
 * machine still looks the way it did and that a fresh plan would do exactly the same. A signal
 * stops it at the next step boundary (`Signals`): reverted before the commit point, finished after.
 */
import { Plan, Stepped } from "@switchyard/model";
import { Apply, Clock, Confirmation, MigrationFiles, Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as AfterFailure from "./AfterFailure.js";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as ItemsGate from "./ItemsGate.js";
import * as Options from "../args/Options.js";
import { identityGiven } from "./snapshotCheck.js";
import * as Progress from "../render/Progress.js";
import * as Prompt from "../render/Prompt.js";
import * as Style from "../render/Style.js";
import * as Summary from "../render/Summary.js";
import * as Terminal from "../render/Terminal.js";
import * as PlanCommand from "./plan.js";
import * as Signals from "./Signals.js";
import * as Watcher from "./Watcher.js";
import * as MigrationOutcome from "./MigrationOutcome.js";
import * as MigrationsCommand from "./migrations.js";
import * as RenderMigrations from "../render/RenderMigrations.js";
import * as SteppedTarget from "./SteppedTarget.js";
import * as RecordedSteps from "./RecordedSteps.js";

export const run = (ctx: CommandContext) =>
  Signals.handled((signals) =>
    Effect.gen(function* () {
      const file = Args.option(ctx.args, "plan");
      const progress = Progress.make();
      const within = Options.whole(ctx.args, "confirm-within");
      const clock = yield* Clock;
      const base = applyOptions(ctx, file, progress, signals);
      const options: Apply.ApplyOptions =
        within === undefined ? base : { ...base, confirm: { withinMs: within * 1000, nowMs: clock.nowMs, watcher: (token) => Watcher.request(ctx.root, token) } };
      const asks = !Args.flag(ctx.args, "yes");
      const review = (plan: Plan.Plan) =>
        Effect.gen(function* () {
          process.stdout.write(`${Items.above(plan.items, plan.choices)}${Summary.plan(plan, Style.of(Terminal.stdout()), { steps: false, stepsHint: false })}\n`);
          yield* ItemsGate.refuse(ctx, plan);
          if (Plan.isEmpty(plan)) return false;
          if (asks) {
            if (!Prompt.interactive()) return yield* Failure.usage("apply", "not on a terminal, nobody can confirm; use --yes to apply without asking");
            const answer = yield* Effect.raceFirst(Prompt.ask("Apply this plan? [y/N] "), signals.next);
            if (answer === "cancelled") return yield* new Failure.Cancelled({ message: "cancelled; nothing was applied" });
            if (answer === "no") return yield* Failure.failed("not applied");
            if (answer !== "yes") return yield* new Failure.Signalled({ signal: answer, message: `${answer} received at the prompt; nothing was applied` });
          }
          return true;
        });
      const once = (at: CommandContext) =>
        Effect.gen(function* () {
          const outcome = yield* carryOut(at, options, review, asks).pipe(
            // A failed apply reports the revert steps that ran and where every link and service stands now.
            Effect.catchTag("ApplyFailed", AfterFailure.withState(ctx, progress.reverted)),
          );
          if (outcome === null) return false;
          const recorded = RecordedSteps.line(outcome.report);
          if (recorded !== null) process.stdout.write(`${recorded}\n`);
          for (const warning of outcome.report.warnings ?? []) process.stderr.write(`switchyard: warning: ${warning}\n`);
          if (outcome.report.stepsRun > 0) process.stdout.write(`${done(outcome.plan)} in ${progress.elapsed()}\n`);
          const pending = outcome.report.confirmation;
          if (pending !== undefined) process.stdout.write(`provisional: ${Confirmation.describe(pending)}\n`);
          if (pending?.watcher === null) process.stderr.write("switchyard: warning: the watcher could not be started; run 'switchyard recover' to start one\n");
          if (outcome.report.migrations !== null && outcome.report.migrations !== undefined) yield* MigrationOutcome.conclude(outcome.report.migrations);
          const late = outcome.report.interrupted;
          if (late !== null) return yield* new Failure.Signalled({ signal: late, message: `${late} received after the commit point: the transition was finished, not stopped half-way` });
          return true;
        });
      if (!Args.flag(ctx.args, "stepped")) return void (yield* once(ctx));
      // Each hop is planned afresh on the machine as the previous one left it; the model picks the hop.
      const target = yield* SteppedTarget.resolve(ctx);
      for (let previous: number | null = null; ; ) {
        const hop = Stepped.next(yield* Observe.world(ctx.root, ctx.settings), target);
        if (hop === null) return;
        if (hop === previous) return yield* Failure.failed(`generation ${hop} runs, but its data is still not readable by generation ${target}; see 'switchyard describe --json'`);
        if (!(yield* once({ ...ctx, args: { ...ctx.args, positional: [ctx.args.positional[0] ?? "apply", "switch", String(hop)] } })) || hop === target) return;
        previous = hop;
      }
    }),
  );

/**
 * A saved plan is checked against the machine under the lock. An operation answered with --yes is
 * planned under the lock. One that waits for an answer is planned before the lock, so that nobody
 * else is locked out while the prompt waits; once answered, the lock is taken and a fresh plan
 * must be the same, or nothing is applied (exit 3).
 */
const carryOut = <E, R>(ctx: CommandContext, options: Apply.ApplyOptions, review: (plan: Plan.Plan) => Effect.Effect<boolean, E, R>, asks: boolean) => {
  const reviewed = (plan: Plan.Plan, again?: string) =>
    Effect.flatMap(review(plan), (go) =>
      go ? Effect.map(Apply.applyPlan(plan, again === undefined ? options : { ...options, again }), (report) => ({ plan, report })) : Effect.succeed(null),
    );
  if (ctx.saved !== null) return reviewed(ctx.saved);
  // On a terminal the error items' resolutions are offered first; the answers are recorded, so the fresh plan under the lock has them too.
  const prompted = Effect.flatMap(Effect.flatMap(PlanCommand.compute(ctx, "apply"), ItemsGate.offer(ctx)), (plan) =>
    reviewed(plan, "the machine changed while the plan waited for an answer; nothing was applied: run the command again"),
  );
  // With a migration graph under way the plan is judged against it under the lock, before any prompt.
  const underWay = Effect.map(MigrationFiles.read(ctx.root), (g) => g !== null);
  return Effect.flatMap(underWay, (graph) => (!asks || graph ? Apply.planAndApply(options, PlanCommand.compute(ctx, "apply"), review) : prompted));
};

const applyOptions = (ctx: CommandContext, file: string | undefined, progress: Progress.Reporter, signals: Signals.Signals): Apply.ApplyOptions => ({
  root: ctx.root,
  settings: ctx.settings,
  command: file === undefined ? ctx.args.positional.join(" ") : `apply --plan ${file}`,
  waitLockSeconds: Options.waitLockSeconds(ctx.args),
  onEvent: progress.onEvent,
  onPlan: progress.onPlan,
  interrupted: signals.received,
  jobs: MigrationsCommand.jobs(ctx),
  onMigration: RenderMigrations.onEvent,
  identity: identityGiven(ctx),
});

const done = (plan: Plan.Plan): string => {
  switch (plan.operation._tag) {
    case "Delete":
      return `deleted generation${plan.delete.length === 1 ? "" : "s"} ${Summary.ranges(plan.delete)}`;
    case "Add":
      return `added generation ${plan.to}`;
    case "Restart":
      return `restarted onto generation ${plan.to}'s code: ${[...plan.services.restart, ...plan.services.stop].join(", ")}`;
    case "SnapshotSave":
      return `saved ${plan.state.map((s) => `snapshot ${s.saved ?? "?"}`).join(", ")}`;
    case "SnapshotRestore":
      return `restored snapshot ${plan.operation.id}; the data it replaced is kept as ${plan.state.map((s) => s.saved ?? "?").join(", ")}`;
    case "Bless":
      return plan.operation.verdict === "good" ? `generation ${plan.to} is the boot default` : `gave up the trial; generation ${plan.to} boots next`;
    default:
      return plan.mode === "try"
        ? `generation ${plan.to} boots next on trial; generation ${plan.from} stays the default until 'switchyard bless' runs on generation ${plan.to}`
        : plan.mode === "boot"
          ? `generation ${plan.to} will be used from the next boot`
          : plan.mode === "test"
            ? `generation ${plan.to} is running; the boot default is unchanged`
            : `switched from generation ${plan.from ?? "(none)"} to ${plan.to}`;
  }
};

/**
 * `switchyard migrations [continue|abandon] [--json]`: show the migration graph under way; continue
 * it (add the migrations of the resolutions chosen for items migrations reported, lift the pause,
 * retry failed migrations, run the rest, under the lock); or abandon it (its
 * record goes, the finished migrations stay done and the rest never run, and switches are allowed
 * again). Whether migrations wait for the boot is read from /run/current-system.
 */
import { NewItems } from "@switchyard/model";
import { Apply, Lock, MigrationFiles, MigrationItems, Migrations, cpuCount } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "../args/Args.js";
import type { CommandContext } from "../Context.js";
import { ExitCode } from "../ExitCode.js";
import * as Escape from "../render/Escape.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";
import * as Options from "../args/Options.js";
import * as Progress from "../render/Progress.js";
import * as RenderMigrations from "../render/RenderMigrations.js";
import * as MigrationOutcome from "./MigrationOutcome.js";

const NONE = "no migration graph is under way";

export const run = (ctx: CommandContext) => {
  const action = ctx.args.positional[1];
  if (action === "continue") return continueIt(ctx);
  if (action === "abandon") return abandon(ctx);
  return show(ctx);
};

const show = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const loaded = yield* MigrationFiles.read(ctx.root);
    const booted = loaded === null ? true : yield* Migrations.booted(ctx.root, loaded.record);
    const reported = loaded === null ? null : yield* MigrationItems.read(ctx.root, loaded.record);
    if (Args.flag(ctx.args, "json")) return Json.print(RenderMigrations.document(loaded?.record ?? null, booted, reported));
    const lines = loaded === null ? [NONE] : RenderMigrations.listing(loaded.record, booted);
    process.stdout.write(lines.map((l) => `${Escape.line(l)}\n`).join(""));
  });

const locked = <A, E, R>(ctx: CommandContext, what: string, body: (token: string) => Effect.Effect<A, E, R>) =>
  Lock.withLock(ctx.root, `migrations ${what}`, Options.waitLockSeconds(ctx.args), (holder) => body(holder.token));

const continueIt = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const report = yield* locked(
      ctx,
      "continue",
      (token) =>
        Effect.gen(function* () {
          const loaded = yield* MigrationFiles.read(ctx.root);
          if (loaded === null) return null;
          const next = NewItems.continued(loaded.record, yield* MigrationItems.read(ctx.root, loaded.record));
          if (next._tag === "Left") return yield* refusal(next.left);
          yield* MigrationFiles.write(ctx.root, next.right);
          // A failure asking for a revert switches back, so this drives services like apply.
          const progress = Progress.make();
          const options = { root: ctx.root, settings: ctx.settings, command: "migrations continue", jobs: jobs(ctx), onMigration: RenderMigrations.onEvent, onEvent: progress.onEvent, onPlan: progress.onPlan };
          return yield* Apply.migrations(options, token);
        }),
    );
    if (report === null) return void process.stdout.write(`${NONE}\n`);
    yield* MigrationOutcome.conclude(report);
  });

/** The pause stays while a reported error item has no resolution (exit 6); a graph the choices would break is refused (exit 2). */
const refusal = (why: NewItems.Refusal) => {
  if (why._tag === "InvalidGraph") return Failure.invalid(`${why.message}; the graph was left as it was`);
  const first = why.items[0];
  const how = first === undefined || (first.resolutions ?? []).length === 0 ? "it offers no resolution: abandon the graph with 'switchyard migrations abandon'" : `choose one with '${Items.chooseCommand(first)}'`;
  return new Failure.CommandFailed({
    message: `the migration graph stays paused: item '${first?.id ?? ""}' a migration reported has no chosen resolution (${first?.message ?? ""}); ${how}, then continue again ('switchyard choices' lists them)`,
    exit: ExitCode.Unresolved,
  });
};

const abandon = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const record = yield* locked(
      ctx,
      "abandon",
      () =>
        Effect.gen(function* () {
          // Abandoning is explicit: a record that cannot be read goes too, which is how it is repaired.
          const loaded = yield* MigrationFiles.read(ctx.root).pipe(Effect.catchTag("MigrationsUnreadable", () => Effect.succeed("unreadable" as const)));
          if (loaded !== null) yield* MigrationFiles.remove(ctx.root);
          return loaded === null || loaded === "unreadable" ? loaded : loaded.record;
        }),
    );
    if (record === null) return void process.stdout.write(`${NONE}\n`);
    if (record === "unreadable") return void process.stdout.write(`removed the unreadable migration graph ${MigrationFiles.graphPath(ctx.root)}\n`);
    const with_ = (s: string) => record.migrations.filter((m) => record.progress[m.id]?.status === s).map((m) => m.id);
    const done = with_("done");
    const rest = record.migrations.map((m) => m.id).filter((id) => !done.includes(id));
    process.stdout.write(
      `${Escape.line(`abandoned the migration graph of generation ${record.from ?? "(none)"} -> ${record.to ?? "(none)"}: done and kept: ${done.join(", ") || "none"}; never run: ${rest.join(", ") || "none"}`)}\n`,
    );
  });

export const jobs = (ctx: CommandContext): number => Options.whole(ctx.args, "jobs") ?? cpuCount();

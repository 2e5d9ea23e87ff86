/**
 * The migrations chosen for a transition, until choices are recorded by `switchyard choose`:
 * `<stateDir>/choices/migrations.json` holds `{"from": N | null, "to": N, "migrations": [...]}`, and
 * a switch or rollback planned from `from` to `to` carries them (`MigrationPlan.attach`). Both the
 * planner and the freshness check of a saved plan read it, so a saved plan cannot add any.
 */
import { GenerationNumber, Item, MigrationPlan, type Plan, World } from "@switchyard/model";
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { Effect } from "effect";
import * as Decode from "../internal/Decode.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";
import { MigrationsUnreadable } from "./MigrationErrors.js";

const Chosen = t.type(
  {
    from: t.union([GenerationNumber.GenerationNumberCodec, t.null]),
    to: GenerationNumber.GenerationNumberCodec,
    migrations: t.array(Item.Migration),
  },
  "chosen migrations",
);

export const path = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/choices/migrations.json`);

/** The migrations chosen for the plan's transition ([] when none are). */
export const forPlan = (root: Root.Root, plan: Plan.Plan) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = path(root);
    const bytes = yield* fs.readFile(file).pipe(
      Effect.map((b): Uint8Array | null => b),
      Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
      Effect.mapError((e) => new MigrationsUnreadable({ message: `cannot read ${file}: ${e.message}` })),
    );
    if (bytes === null) return [] as ReadonlyArray<Item.Migration>;
    const chosen = yield* Decode.bytes(Chosen, bytes, file, (f) => new MigrationsUnreadable({ message: `${Decode.describe(f)}; fix or remove it` }));
    return chosen.from === plan.from && chosen.to === plan.to ? chosen.migrations : [];
  });

/** The plan with the migrations chosen for its transition, or why they cannot run (a cycle, an unknown requirement). */
export const attach = (root: Root.Root, world: World.World, plan: Plan.Plan) =>
  Effect.map(forPlan(root, plan), (migrations) => (plan.operation._tag === "Switch" || plan.operation._tag === "Rollback" ? MigrationPlan.attach(world, plan, migrations) : E.right(plan)));

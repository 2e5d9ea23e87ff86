/**
 * Model-based crash test: fast-check `fc.commands` drives the real interpreter (observe →
 * Transition → Apply.applyPlan, and Recover.recover, exactly like the CLI) over the in-memory file
 * system and service manager, with add, switch, switch --mode test, rollback, delete and refused
 * operations, and each of the operations also run with the k-th file-system primitive failing or
 * with a crash (every primitive from the k-th on fails, then power loss keeps an arbitrary prefix
 * of what was not durable, then recover, itself crashed the same way sometimes). One command class
 * per file in mbt/: each says when it applies (`check`, against the model in mbt/Model.ts) and
 * what its outcome must be; after every command the invariants of mbt/Real.ts are checked against
 * the model: the generations (numbers and system directories), the profile, /run/current-system,
 * which generation's code every service runs (and on exactly that record's revision), the boot
 * menu as GRUB reads it (test/support/GrubMenu.ts: the default entry and every entry), no temp
 * files, no journal or journal leftovers, the lock free, the layout marker, no system directory
 * removed. Generation numbers follow the documented rule (docs/on-disk-format.md): a new one is
 * max+1 of the existing ones, and an existing generation keeps its number and system directory
 * while it exists.
 *
 * REPLAY. A failure prints fast-check's report: a line `{ seed: -1234, path: "12:3:0", endOnFailure: true }`
 * and the shrunk counterexample, which ends with the commands' own replay path, e.g.
 *   Counterexample: [{"numbers":[1,2],"current":1},fail(11, add) /*replayPath="CCB:F"*\/]
 * Replay exactly that case, without editing anything, with all three:
 *   MBT_SEED=-1234 MBT_PATH="12:3:0" MBT_REPLAY="CCB:F" npx vitest run test/interpreter/crash.mbt.test.ts
 * which passes `{ seed, path, endOnFailure: true }` to `fc.assert` and `{ replayPath }` to
 * `fc.commands` (the seed and path alone are refused: "Unable to replay, got wrong path", because
 * how `fc.commands` shrinks depends on which commands ran). MBT_RUNS overrides the number of runs,
 * MBT_MAX the maximum number of commands per run (12).
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { AddCommand } from "./mbt/AddCommand.js";
import { CrashCommand } from "./mbt/CrashCommand.js";
import { DeleteCommand } from "./mbt/DeleteCommand.js";
import { FailCommand } from "./mbt/FailCommand.js";
import type { DeletePattern, Model, Operation, Pick } from "./mbt/Model.js";
import { Real, stats, type InitialSpec } from "./mbt/Real.js";
import { RefusedCommand } from "./mbt/RefusedCommand.js";
import { RollbackCommand } from "./mbt/RollbackCommand.js";
import { SwitchCommand } from "./mbt/SwitchCommand.js";
import { TestModeCommand } from "./mbt/TestModeCommand.js";

const env = process.env;
const replay = env.MBT_SEED === undefined ? {} : { seed: Number(env.MBT_SEED), path: env.MBT_PATH, endOnFailure: true };
const numRuns = env.MBT_RUNS === undefined ? 50 : Number(env.MBT_RUNS);
const maxCommands = env.MBT_MAX === undefined ? 12 : Number(env.MBT_MAX);

const pick: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 5, arbitrary: fc.nat(7).map((index): Pick => ({ _tag: "Index", index })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }).map((number): Pick => ({ _tag: "Number", number })) },
);

const deletePattern: fc.Arbitrary<DeletePattern> = fc.oneof(
  fc.constant<DeletePattern>({ _tag: "Old" }),
  fc.integer({ min: 0, max: 3 }).map((count): DeletePattern => ({ _tag: "KeepNewest", count })),
  pick.map((p): DeletePattern => ({ _tag: "Generation", pick: p })),
);

/** For faults: operations that mostly do something (an empty plan has little to crash). */
const indexPick: fc.Arbitrary<Pick> = fc.nat(7).map((index): Pick => ({ _tag: "Index", index }));
const faultedOperation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Operation>({ _tag: "Add" }) },
  { weight: 3, arbitrary: indexPick.map((p): Operation => ({ _tag: "Switch", pick: p, mode: "switch" })) },
  { weight: 1, arbitrary: indexPick.map((p): Operation => ({ _tag: "Switch", pick: p, mode: "test" })) },
  { weight: 1, arbitrary: fc.constant<Operation>({ _tag: "Rollback" }) },
  { weight: 1, arbitrary: deletePattern.map((pattern): Operation => ({ _tag: "Delete", pattern })) },
);

/** Which primitive fails: mostly within a typical apply (≈ 20–80 primitives), sometimes after its end. */
const primitive = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 45 }) }, { weight: 1, arbitrary: fc.integer({ min: 46, max: 100 }) });

/** Operations that the model often refuses: missing generations, rollback from the oldest, deletes of protected ones. */
const maybeRefused: fc.Arbitrary<Exclude<Operation, { readonly _tag: "Add" }>> = fc.oneof(
  fc.integer({ min: 1, max: 9 }).map((number): Operation & { _tag: "Switch" } => ({ _tag: "Switch", pick: { _tag: "Number", number }, mode: "switch" })),
  fc.constant<Operation & { _tag: "Rollback" }>({ _tag: "Rollback" }),
  deletePattern.map((pattern): Operation & { _tag: "Delete" } => ({ _tag: "Delete", pattern })),
);

const commands = fc.commands(
  [
    maybeRefused.map((op) => new RefusedCommand(op)),
    fc.constant(new AddCommand()),
    pick.map((p) => new SwitchCommand(p)),
    pick.map((p) => new TestModeCommand(p)),
    fc.constant(new RollbackCommand()),
    deletePattern.map((p) => new DeleteCommand(p)),
    fc.tuple(faultedOperation, primitive, fc.boolean()).map(([op, k, activationFails]) => new FailCommand(op, k, activationFails)),
    fc
      .tuple(faultedOperation, primitive, fc.nat(), fc.option(fc.record({ k: fc.integer({ min: 1, max: 60 }), keep: fc.nat() }), { freq: 3 }))
      .map(([op, k, keep, again]) => new CrashCommand(op, k, keep, again)),
  ],
  { maxCommands, ...(env.MBT_REPLAY === undefined ? {} : { replayPath: env.MBT_REPLAY }) },
);

const initial: fc.Arbitrary<InitialSpec> = fc
  .uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 })
  .chain((numbers) => {
    const sorted = [...numbers].sort((a, b) => a - b);
    return fc.constantFrom(...sorted).map((current) => ({ numbers: sorted, current }));
  });

const setup = (spec: InitialSpec) => async () => {
  const real = await Real.create(spec);
  const model: Model = Real.initialModel(spec);
  await real.check(model);
  return { model, real };
};

describe("crash consistency (model-based)", () => {
  it(`add / switch / test / rollback / delete / refusals with injected failures and crashes keep every invariant (${numRuns} runs)`, { timeout: Math.max(60_000, numRuns * 1_000) }, async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(initial, commands, async (spec, cmds) => {
        await fc.asyncModelRun(setup(spec), cmds);
      }),
      { numRuns, ...replay },
    );
    console.log(`crash MBT: ${numRuns} runs of up to ${maxCommands} commands in ${Date.now() - started} ms; outcomes: ${JSON.stringify(stats)}`);
  });
});

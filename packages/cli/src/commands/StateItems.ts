/**
 * A switch refused because the target cannot read a service's data (exit 10) has no plan, so no
 * check ran for it; `check` and `plan` still show its data-epoch items (`DataEpochCheck`), whose
 * resolutions name the commands of the ways out, before the refusal itself.
 */
import { DataEpochCheck, Transition, World } from "@switchyard/model";
import { Observe } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";
import { ExitCode } from "../ExitCode.js";
import * as Failure from "../render/Failure.js";
import * as Items from "../render/Items.js";
import * as Json from "../render/Json.js";
import * as Operation from "../args/Operation.js";

const report = (command: CommandContext, json: boolean, refusal: Failure.CommandFailed) =>
  Effect.gen(function* () {
    const read = Operation.parse(command.args);
    const world = yield* Observe.world(command.root, command.settings);
    const n = read._tag === "Invalid" ? null : Transition.targetOf(world, read.operation);
    const target = n === null ? undefined : World.generation(world, n);
    const items = target === undefined ? [] : DataEpochCheck.items(world, target);
    if (json) Json.print({ from: world.current, to: n, mode: Operation.mode(command.args), refused: refusal.message, ...Items.json(null, items, []) });
    else if (items.length > 0) process.stdout.write(`${Items.text(items, [], Items.STATE)}\n`);
    return yield* Effect.fail(refusal);
  });

/** `computed` (the plan of `command`), with its data-epoch items shown when it is refused with exit 10. */
export const shownWhenRefused =
  (command: CommandContext, json: boolean) =>
  <A, E, R>(computed: Effect.Effect<A, E, R>) =>
    computed.pipe(
      Effect.catchIf(
        (e): e is E & Failure.CommandFailed => e instanceof Failure.CommandFailed && e.exit === ExitCode.StateUnreadable,
        (e) => report(command, json, e),
      ),
    );

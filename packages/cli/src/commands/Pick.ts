/**
 * A generation named on the command line (`describe 2`, `diff -1 3`): `N`, or `+K` / `-K` counted
 * from the current generation among those that exist (the same specs `switch` takes).
 */
import { Spec, World } from "@switchyard/model";
import { Effect } from "effect";
import * as Failure from "../render/Failure.js";

export const generation = (world: World.World, text: string) =>
  Effect.gen(function* () {
    const spec = Spec.parse(text);
    if (spec._tag === "Left") return yield* Failure.invalid(spec.left.message.replace("invalid generation spec", "invalid generation"));
    const numbers = world.generations.map((g) => g.number);
    const found = Spec.resolve(spec.right, numbers, world.current);
    if (found._tag === "Left") {
      return yield* Failure.invalid(
        found.left._tag === "OutOfRange" ? `there is no generation '${text}' from the current one (${world.current}); see 'switchyard list'` : found.left.message,
      );
    }
    return World.generation(world, found.right) as World.Generation;
  });

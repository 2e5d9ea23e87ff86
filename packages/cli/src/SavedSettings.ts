/**
 * The settings of the commands that may run with a plan's own: `apply --plan FILE` (the saved
 * plan's, verified) and `recover` (the interrupted apply's, from its journal). Its own module
 * because reading either takes the plan codecs, which the read-only commands never load.
 */
import { ApplyJournal, type Root } from "@switchyard/interpreter";
import { Effect } from "effect";
import * as Args from "./args/Args.js";
import * as Context from "./Context.js";
import * as PlanSettings from "./commands/PlanSettings.js";
import * as Failure from "./render/Failure.js";

/** The settings of this run, and the saved plan when it is `apply --plan FILE`. */
export const settings = (root: Root.Root, args: Args.Parsed) =>
  Effect.gen(function* () {
    const file = args.command === "apply" ? Args.option(args, "plan") : undefined;
    if (file !== undefined) {
      const saved = yield* PlanSettings.load(args, file);
      return { settings: saved.settings, services: saved.settings, saved };
    }
    // recover carries out the interrupted apply's own plan, so it runs with that plan's settings.
    const journal = args.command === "recover" ? yield* ApplyJournal.read(root).pipe(Effect.orElseSucceed(() => null)) : null;
    if (journal !== null) {
      const wrong = PlanSettings.conflict(args, journal.plan, "recover");
      if (wrong !== null) return yield* Failure.usage("recover", wrong);
      return { settings: journal.plan.settings, services: journal.plan.settings, saved: null };
    }
    return yield* Context.configured(root, args);
  });

/**
 * After a failed apply, find out where the machine stands (links and every service, through the
 * same observation as `status`) and attach it, with the revert steps that ran, to the failure, so
 * the report can say exactly what state each service and link is in — most of all when the revert
 * itself failed.
 */
import { Status } from "@switchyard/interpreter";
import { Effect } from "effect";
import type { CommandContext } from "../Context.js";
import { ApplyFailedReport } from "../render/Failure.js";

export const withState =
  (ctx: CommandContext, revertSteps: ReadonlyArray<string>) =>
  <E extends ConstructorParameters<typeof ApplyFailedReport>[0]["failed"]>(failed: E) =>
    Status.observe(ctx.root, ctx.settings).pipe(
      Effect.match({
        onFailure: (e) => ({ state: null, stateError: e.message }),
        onSuccess: (state) => ({ state, stateError: null }),
      }),
      Effect.flatMap((now) => Effect.fail(new ApplyFailedReport({ failed, revertSteps, ...now }))),
    );

/**
 * Runs a plan's checks and attaches their items: the built-in ones (users and groups against the
 * root's /etc/passwd and /etc/group, the required kernel, a needed reboot) and each check program
 * the target declares, run through the process port from the target's system directory, in a
 * process group of its own, with its timeout. Only standard output is the report; standard error
 * is for people. The model decides what each run means (`Assessment.ofRun`); choices recorded for
 * this very transition are read back and applied.
 */
import { Assessment, CheckDeclaration, Checks, Choice, type Plan, type World } from "@switchyard/model";
import { Effect } from "effect";
import * as ChoiceFile from "./ChoiceFile.js";
import { FileSystem } from "../ports/FileSystem.js";
import { ProcessRunner } from "../ports/ProcessRunner.js";
import * as Root from "../root/Root.js";

/** A file of the root read as text; absent or unreadable reads as "" (nothing to contradict). */
const readText = (root: Root.Root, inRoot: string) =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.readFile(Root.host(root, inRoot)).pipe(
      Effect.map((b) => new TextDecoder().decode(b)),
      Effect.orElseSucceed(() => ""),
    ),
  );

const runOne = (root: Root.Root, context: Checks.Context, check: CheckDeclaration.Check) =>
  Effect.gen(function* () {
    const runner = yield* ProcessRunner;
    const timeoutSeconds = check.timeout ?? CheckDeclaration.DEFAULT_TIMEOUT_SECONDS;
    const out: Array<string> = [];
    let bytes = 0;
    const result = yield* runner
      .run({
        argv: check.run,
        env: Checks.environment(context, root.prefix === "" ? "/" : root.prefix),
        cwd: Root.host(root, context.toSystem),
        timeoutMs: timeoutSeconds * 1000,
        onLine: (line, stream) => {
          if (stream !== "stdout" || bytes > Assessment.MAX_REPORT_BYTES) return;
          bytes += line.length + 1;
          out.push(line);
        },
      })
      .pipe(Effect.either);
    const run: Assessment.Run =
      result._tag === "Left"
        ? { _tag: "NotStarted", message: result.left.message }
        : { _tag: "Ended", ...result.right, timeoutSeconds, stdout: bytes > Assessment.MAX_REPORT_BYTES ? null : out.join("\n") };
    return [check.name, Assessment.ofRun(check.name, run)] as const;
  });

/** The plan with its items, choices and chosen migrations; a plan that switches to no generation is returned as it is. */
export const assess = Effect.fn("runChecks")(function* (root: Root.Root, world: World.World, plan: Plan.Plan) {
  const context = Checks.contextOf(world, plan);
  if (context === null) return plan;
  const target = Checks.targetManifest(world, context);
  if (target === null) return plan;
  const runner = yield* ProcessRunner;
  const users = target.users ?? [];
  const accounts = users.length === 0 ? { passwd: "", group: "" } : { passwd: yield* readText(root, "/etc/passwd"), group: yield* readText(root, "/etc/group") };
  const builtin = Assessment.builtin(world, context, target, { ...accounts, kernelRelease: runner.kernelRelease }, plan);
  const runs = yield* Effect.forEach(Checks.declared(world, context), (check) => runOne(root, context, check));
  const items = Assessment.join(builtin, runs);
  const key = Choice.keyOf(context);
  // Nothing to settle, nothing to read: a plan whose items offer no resolution costs no access to the state directory.
  const choices = Assessment.choosable(items) ? Choice.applying(yield* ChoiceFile.read(root), key, items) : [];
  return Assessment.attach(plan, key, items, choices);
});

/**
 * One imperative step of a plan. The interpreter runs each with one exhaustive `switch` on `_tag`
 * and recomputes nothing, so what `plan` shows is exactly what `apply` does. Every step is
 * idempotent: running it again after a crash leaves the same result.
 */
import * as t from "io-ts";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import { InRootPathCodec } from "../paths/InRootPathCodec.js";
import * as Utf8 from "../internal/Utf8.js";
import { Migration } from "../checks/Item.js";
import { Mode } from "./Request.js";
import { Settings } from "../world/Settings.js";
import * as StateSteps from "../state/StateSteps.js";
import * as ServiceRefModule from "./ServiceRef.js";

/** Which service to act on, with the record of the generation whose code it should run. */
export const ServiceRef = ServiceRefModule.ServiceRef;
export type ServiceRef = ServiceRefModule.ServiceRef;

const tagged = <Tag extends string, P extends t.Props>(tag: Tag, props: P) =>
  t.readonly(t.type({ _tag: t.literal(tag), ...props }, tag));

/** Point `path` at `target` atomically (new link at a temp name, rename over, fsync the directory). */
export const ReplaceSymlink = tagged("ReplaceSymlink", { path: InRootPathCodec, target: t.string });
/** Create generation link `path` -> `target` atomically, stamped with the creation time the plan chose. */
export const CreateGenerationLink = tagged("CreateGenerationLink", { path: InRootPathCodec, target: InRootPathCodec, createdMs: t.number });
/** Remove a generation link (the system directory itself is left for garbage collection). */
export const RemoveLink = tagged("RemoveLink", { path: InRootPathCodec, target: t.string });
/** Remove a file durably (a file that is already gone is fine). */
export const RemoveFile = tagged("RemoveFile", { path: InRootPathCodec });
/** Write a whole file atomically and durably. */
export const WriteFile = tagged("WriteFile", { path: InRootPathCodec, content: t.string });
/** Copy a kernel or initrd to the boot partition, unless its content-addressed name is there already. */
export const CopyFile = tagged("CopyFile", { source: InRootPathCodec, path: InRootPathCodec });
/** Rename `from` to `path` atomically and durably (a boot entry's counter); done when only `path` is there. */
export const RenameFile = tagged("RenameFile", { from: InRootPathCodec, path: InRootPathCodec });
/**
 * Run a system's activation script with SWITCHYARD_SYSTEM and SWITCHYARD_ACTION set, plus the
 * arguments and environment its own system expects (NixOS's `switch-to-configuration test`).
 */
export const RunActivation = t.readonly(
  t.intersection(
    [
      t.type({ _tag: t.literal("RunActivation"), system: InRootPathCodec, script: InRootPathCodec, action: t.union([t.literal("switch"), t.literal("test"), t.literal("revert")]) }),
      t.partial({ args: t.readonlyArray(t.string), env: t.readonly(t.record(t.string, t.string)) }),
    ],
    "RunActivation",
  ),
);
export const StopService = tagged("StopService", { service: ServiceRef });
export const StartService = tagged("StartService", { service: ServiceRef });
export const RestartService = tagged("RestartService", { service: ServiceRef });
export const ReloadService = tagged("ReloadService", { service: ServiceRef });
/**
 * Fail unless `path` is a symlink holding exactly `target` (null: nothing there). Read-only: it
 * checks, just before Commit, that what the commit relies on was not moved by an activation.
 */
export const CheckLink = tagged("CheckLink", { path: InRootPathCodec, target: t.union([t.string, t.null]) });
/** A generation's hook: which one, its argv (relative to `system`, where it runs) and its whole environment. */
export const HookName = t.keyof({ preSwitch: null, postSwitch: null, checkHealth: null }, "HookName");
export const HookInvocation = t.readonly(
  t.type({ hook: HookName, system: InRootPathCodec, argv: t.readonlyArray(t.string), env: t.readonly(t.record(t.string, t.string)) }, "HookInvocation"),
);
export type HookInvocation = t.TypeOf<typeof HookInvocation>;
/** Run the target's post-switch or health hook (`Hooks`); a non-zero exit fails the step, so the switch reverts. */
export const RunHook = tagged("RunHook", { hook: t.keyof({ postSwitch: null, checkHealth: null }), system: InRootPathCodec, argv: t.readonlyArray(t.string), env: t.readonly(t.record(t.string, t.string)) });
/**
 * Record the chosen migrations as a graph under way (`migrations/graph.json` in the state directory)
 * unless that very graph is recorded already. The last step, after Commit: the graph runs once the
 * apply is done, and from then on the machine moves only along it (see `migrations/Schedule`).
 */
export const BeginMigrations = tagged("BeginMigrations", {
  from: t.union([GenerationNumberCodec, t.null]),
  to: t.union([GenerationNumberCodec, t.null]),
  mode: Mode,
  fromSystem: t.union([InRootPathCodec, t.null]),
  toSystem: t.union([InRootPathCodec, t.null]),
  migrations: t.readonlyArray(Migration),
  /** The plan's settings: a switch back after a failed migration runs with them, whoever continues the graph. */
  settings: Settings,
});
export type BeginMigrationsStep = t.TypeOf<typeof BeginMigrations>;
/** Everything after this point makes the transition permanent; a failure before it reverts. */
export const Commit = tagged("Commit", {});

export const Step = t.union(
  [
    ReplaceSymlink,
    CreateGenerationLink,
    RemoveLink,
    RemoveFile,
    WriteFile,
    CopyFile,
    RenameFile,
    RunActivation,
    RunHook,
    StopService,
    StartService,
    RestartService,
    ReloadService,
    CheckLink,
    Commit,
    BeginMigrations,
    StateSteps.DumpState,
    StateSteps.SaveSnapshot,
    StateSteps.RestorePaths,
    StateSteps.UndoRestorePaths,
    StateSteps.LoadState,
    StateSteps.SetDataEpoch,
    StateSteps.DropAside,
  ],
  "Step",
);
export type Step = t.TypeOf<typeof Step>;

/** A one-line description, used by `plan` and by the interpreter's progress lines. */
export const describe = (step: Step): string => {
  switch (step._tag) {
    case "ReplaceSymlink":
      return `link ${step.path} -> ${step.target}`;
    case "CreateGenerationLink":
      return `create ${step.path} -> ${step.target}`;
    case "RemoveLink":
      return `remove ${step.path} (was -> ${step.target})`;
    case "RemoveFile":
      return `remove ${step.path}`;
    case "WriteFile":
      return `write ${step.path} (${Utf8.byteLength(step.content)} bytes)`;
    case "CopyFile":
      return `install ${step.source} as ${step.path}`;
    case "RenameFile":
      return `rename ${step.from} to ${step.path}`;
    case "RunActivation":
      return `activate ${step.system} (${step.action})`;
    case "RunHook":
      return `run the ${step.hook === "postSwitch" ? "post-switch" : "health"} hook ${step.argv.join(" ")} of ${step.system}`;
    case "StopService":
      return `stop ${step.service.record.name}`;
    case "StartService":
      return `start ${step.service.record.name}`;
    case "RestartService":
      return `restart ${step.service.record.name}`;
    case "ReloadService":
      return `reload ${step.service.record.name}`;
    case "CheckLink":
      return step.target === null ? `check that ${step.path} is absent` : `check ${step.path} -> ${step.target}`;
    case "Commit":
      return "commit: make it permanent";
    case "BeginMigrations": {
      const after = step.migrations.filter((m) => m.reboot !== "before").length;
      const wait = step.mode === "boot" || step.mode === "try" ? `; ${after} wait for the boot into generation ${step.to ?? "(none)"}` : "";
      return `begin migrations ${step.migrations.map((m) => m.id).join(", ")} (${step.migrations.length}${wait})`;
    }
    case "DumpState":
    case "SaveSnapshot":
    case "RestorePaths":
    case "UndoRestorePaths":
    case "LoadState":
    case "SetDataEpoch":
    case "DropAside":
      return StateSteps.describe(step);
  }
};

/**
 * Confirm or revert (deploy-rs's magic rollback): a live switch applied with a confirmation
 * deadline stays provisional until `switchyard confirm`. The way back is decided here, at apply
 * time, from the world the switch started from, and recorded with the deadline, so whoever reverts
 * (the watcher, or `recover` when the watcher was lost) decides nothing: it applies the recorded
 * plan. That plan undoes the forward plan: its `revert` steps (services, /run/current-system, the
 * old activation, restart debt), then Commit, then the profile link and the boot menu as they
 * were. It runs no hook: going back restores what ran before instead of asking it.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as BootFiles from "../boot/BootFiles.js";
import * as BootMenu from "./BootMenu.js";
import * as BootSteps from "../boot/BootSteps.js";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import * as Plan from "../plan/Plan.js";
import * as PlanError from "../plan/PlanError.js";
import type * as Step from "../plan/Step.js";
import * as World from "../world/World.js";

/** The pending confirmation, as journaled in the state directory. */
export const Pending = t.readonly(
  t.type(
    {
      /** Unique to this apply: a watcher acts only on the confirmation it was started for. */
      token: t.string,
      from: t.union([GenerationNumberCodec, t.null]),
      to: GenerationNumberCodec,
      /** Wall-clock milliseconds since the epoch; unconfirmed at this instant, the switch is reverted. */
      deadlineMs: t.number,
      /** The watcher holding it, once started (its pid and the boot it runs in). */
      watcher: t.union([t.readonly(t.type({ pid: t.number, bootId: t.string })), t.null]),
      revert: Plan.Plan,
    },
    "PendingConfirmation",
  ),
);
export type Pending = t.TypeOf<typeof Pending>;

export const FILE_NAME = "confirmation.json";

/** Which plans can wait for a confirmation: a live switch or rollback, with somewhere to go back to. */
export const refusal = (world: World.World, plan: Plan.Plan): string | null => {
  if (plan.operation._tag !== "Switch" && plan.operation._tag !== "Rollback") return "--confirm-within applies to switch and rollback";
  if (plan.mode !== "switch" && plan.mode !== "test") return `--confirm-within needs a live switch (--mode switch or test); --mode ${plan.mode} changes nothing that runs`;
  if (world.current === null || world.running.system === null) return "--confirm-within needs a running generation to go back to; switch to one first";
  return null;
};

/**
 * The plan that takes the machine from where `plan` leaves it back to `world` (the world `plan`
 * was computed from). Its own `revert` is the forward steps without their hooks, so a failure of
 * the way back before its Commit leaves the machine provisional again, not half-way.
 */
export const revertPlan = (world: World.World, plan: Plan.Plan): E.Either<PlanError.PlanError, Plan.Plan> => {
  const refused = refusal(world, plan);
  if (refused !== null) return E.left(PlanError.invalid(refused));
  const commit = Plan.commitIndex(plan);
  const forward = plan.steps.slice(0, commit).filter((s) => s._tag !== "RunHook");
  const committed = plan.steps.slice(commit + 1);
  const back: Array<Step.Step> = [];
  if (plan.mode !== "test") {
    const profileMoved = committed.some((s) => s._tag === "ReplaceSymlink" && s.path === world.settings.profile);
    if (profileMoved && world.profileTarget !== null) back.push({ _tag: "ReplaceSymlink", path: world.settings.profile, target: world.profileTarget });
    const ops = committed.map(BootSteps.opOf).filter((op): op is BootFiles.FileOp => op !== null);
    if (ops.length > 0 && world.current !== null) {
      const warnings: Array<string> = [];
      const menu = BootMenu.write(world, { default: world.current, trial: null }, warnings, { observed: BootFiles.after(BootSteps.observedOf(world), ops) });
      if (E.isLeft(menu)) return menu;
      if (menu.right !== null) back.push(...menu.right.steps);
    }
  }
  const made = Plan.make(world, {
    operation: { _tag: "Switch", spec: String(world.current) },
    mode: plan.mode,
    servicesPolicy: plan.servicesPolicy,
    to: world.current,
    boot: null,
    steps: [...plan.revert, { _tag: "Commit" }, ...back],
    revert: forward,
    warnings: [],
  });
  return E.right({ ...made, from: plan.to, running: plan.to });
};

/** Whether the deadline has passed at `nowMs`. */
export const expired = (pending: Pending, nowMs: number): boolean => nowMs >= pending.deadlineMs;

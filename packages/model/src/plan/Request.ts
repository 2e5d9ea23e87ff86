/**
 * What a plan answers: the operation, the mode, how running services are treated, a trial's boot
 * attempts, and the clock reading the planner used. Every plan records its request, so `apply --plan` can compute the plan
 * for the same request again and run the saved one only if it is the same. The mode and the
 * services policy are defined here once; the CLI lists their choices from these codecs.
 */
import * as t from "io-ts";
import { choicesOf } from "../internal/Choices.js";
import { InRootPathCodec } from "../paths/InRootPathCodec.js";
import { MAX_ATTEMPTS } from "../boot/Menu.js";
import { wholeNumber } from "../world/Settings.js";

/** `try`: boot the target next on trial, the current default staying the fallback until `bless`. */
export const Mode = t.keyof({ switch: null, boot: null, test: null, try: null }, "Mode");
export type Mode = t.TypeOf<typeof Mode>;
export const modes = choicesOf(Mode);

/** `live`: NixOS's rules (stop, restart, reload what changed); `conservative`: Guix's (leave running services on old code). */
export const ServicesPolicy = t.keyof({ live: null, conservative: null }, "ServicesPolicy");
export type ServicesPolicy = t.TypeOf<typeof ServicesPolicy>;
export const servicesPolicies = choicesOf(ServicesPolicy);

/** `auto`: each service's own `restore` rule; `keep`: keep the data on disk (refused when unreadable); `restore`: restore a snapshot. */
export const StatePolicy = t.keyof({ auto: null, keep: null, restore: null }, "StatePolicy");
export type StatePolicy = t.TypeOf<typeof StatePolicy>;
export const statePolicies = choicesOf(StatePolicy);

export const Switch = t.readonly(t.type({ _tag: t.literal("Switch"), spec: t.string }, "Switch"));
export const Rollback = t.readonly(t.type({ _tag: t.literal("Rollback") }, "Rollback"));
export const Delete = t.readonly(t.type({ _tag: t.literal("Delete"), pattern: t.union([t.string, t.null]) }, "Delete"));
/** Registering a built system directory; its plan is made by `Transition.adding`, from its manifest. */
export const Add = t.readonly(t.type({ _tag: t.literal("Add"), system: InRootPathCodec }, "Add"));

/** `bless` (good) or `bless --bad`: what the booted system says of the generation on trial. */
export const Verdict = t.keyof({ good: null, bad: null }, "Verdict");
export type Verdict = t.TypeOf<typeof Verdict>;
/** Settling a trial boot; its plan is made by `Bless.plan`, from the bootloader's files. */
export const Bless = t.readonly(t.type({ _tag: t.literal("Bless"), verdict: Verdict }, "Bless"));

/** Restart services onto the current generation's code: those named, or (`debt`) every one left on old code. */
export const Restart = t.readonly(t.type({ _tag: t.literal("Restart"), services: t.readonlyArray(t.string), debt: t.boolean }, "Restart"));

/** `snapshot save [SERVICE…]` (none: every stateful service) and `snapshot restore ID`, on the running generation. */
export const SnapshotSave = t.readonly(t.type({ _tag: t.literal("SnapshotSave"), services: t.readonlyArray(t.string) }, "SnapshotSave"));
export const SnapshotRestore = t.readonly(t.type({ _tag: t.literal("SnapshotRestore"), id: t.string }, "SnapshotRestore"));

export const Operation = t.union([Switch, Rollback, Delete, Add, Bless, Restart, SnapshotSave, SnapshotRestore], "Operation");
export type Operation = t.TypeOf<typeof Operation>;

/** The operations planned between generations that exist (`Transition.between`). */
export type Between = Exclude<Operation, { readonly _tag: "Add" | "Bless" }>;

/** How many boots a trial gets before the default takes over again. */
export const Attempts = wholeNumber("attempts", 1, MAX_ATTEMPTS, "attempts");

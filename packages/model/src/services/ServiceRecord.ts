/**
 * A service as a generation records it: what to run, what it needs, and how it wants to be treated
 * when a switch changes or removes it. `ServiceRecordInput` is the manifest form (defaults omitted);
 * `ServiceRecord` is the normalised form every other module and every plan uses.
 */
import * as t from "io-ts";
import { strictPartial } from "../internal/Strict.js";
import { ArgString, inSystem, Program } from "./Program.js";
import * as State from "../state/StateDeclaration.js";

export { Program };

declare const ServiceNameBrand: unique symbol;
export type ServiceName = string & { readonly [ServiceNameBrand]: true };

const NAME = /^[A-Za-z0-9@._-]+$/;

/** Names become s6 service directories: `.`-leading names would be hidden or climb (`..`). */
export const ServiceName = new t.Type<ServiceName, string, unknown>(
  "ServiceName",
  (u): u is ServiceName => typeof u === "string" && isValidName(u),
  (u, c) =>
    typeof u !== "string"
      ? t.failure(u, c, "expected a service name (string)")
      : isValidName(u)
        ? t.success(u as ServiceName)
        : t.failure(u, c, `invalid service name '${u}': use letters, digits and @ . _ - (not starting with '.')`),
  (a) => a,
);

const isValidName = (s: string): boolean => NAME.test(s) && !s.startsWith(".");

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment, with names checked here because the s6 run script exports them: with this shape
 * a name can never be anything but a name to the shell. (`t.record` with a refined key type would
 * silently drop a bad key instead of refusing it.)
 */
const Env = new t.Type<Record<string, string>, Record<string, string>, unknown>(
  "env",
  (u): u is Record<string, string> =>
    typeof u === "object" && u !== null && !Array.isArray(u) && Object.entries(u).every(([k, v]) => ENV_NAME.test(k) && ArgString.is(v)),
  (u, c) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) return t.failure(u, c, "expected an object of environment variables");
    const out: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(u)) {
      const at = [...c, { key: name, type: ArgString, actual: value }];
      if (!ENV_NAME.test(name)) {
        return t.failure(value, at, `invalid environment variable name ${JSON.stringify(name)}: use letters, digits and _, not starting with a digit`);
      }
      const v = ArgString.validate(value, at);
      if (v._tag === "Left") return v;
      out.push([name, v.right]);
    }
    // fromEntries defines own properties, so even a variable named __proto__ stays a variable.
    return t.success(Object.fromEntries(out));
  },
  (a) => a,
);

const ACCOUNT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$/;

/** A user or group name (or number): it goes into the run script, so only a name's characters. */
const Account = new t.Type<string, string, unknown>(
  "account",
  (u): u is string => typeof u === "string" && ACCOUNT.test(u),
  (u, c) =>
    typeof u === "string" && ACCOUNT.test(u)
      ? t.success(u)
      : t.failure(u, c, "expected a user or group name: up to 32 letters, digits and . _ - (not starting with . or -)"),
  (a) => a,
);

/** As written in manifest.json. */
export const ServiceRecordInput = strictPartial(
  { name: ServiceName, start: Program },
  {
    provides: t.array(t.string),
    requires: t.array(t.string),
    stop: Program,
    reload: Program,
    env: Env,
    description: t.string,
    reloadTriggers: t.array(t.string),
    restartIfChanged: t.boolean,
    stopIfChanged: t.boolean,
    reloadIfChanged: t.boolean,
    stopOnRemoval: t.boolean,
    user: Account,
    group: Account,
    state: State.StateInput,
  },
  "ServiceRecord",
);
export type ServiceRecordInput = t.TypeOf<typeof ServiceRecordInput>;

/** Normalised: every default filled in, so two records compare field by field. */
export const ServiceRecord = t.readonly(
  t.type(
    {
      name: ServiceName,
      provides: t.readonlyArray(t.string),
      requires: t.readonlyArray(t.string),
      start: inSystem(t.readonlyArray(t.string)),
      stop: t.union([inSystem(t.readonlyArray(t.string)), t.null]),
      reload: t.union([inSystem(t.readonlyArray(t.string)), t.null]),
      env: t.record(t.string, t.string),
      description: t.union([t.string, t.null]),
      reloadTriggers: t.readonlyArray(t.string),
      restartIfChanged: t.boolean,
      stopIfChanged: t.boolean,
      reloadIfChanged: t.boolean,
      stopOnRemoval: t.boolean,
      /** Who the service and its state programs run as (null: the service manager's own user). */
      user: t.union([Account, t.null]),
      group: t.union([Account, t.null]),
      state: t.union([State.State, t.null]),
    },
    "ServiceRecord",
  ),
);
export type ServiceRecord = t.TypeOf<typeof ServiceRecord>;

export const normalise = (input: ServiceRecordInput): ServiceRecord => ({
  name: input.name,
  provides: input.provides ?? [input.name],
  requires: input.requires ?? [],
  start: input.start,
  stop: input.stop ?? null,
  reload: input.reload ?? null,
  env: input.env ?? {},
  description: input.description ?? null,
  reloadTriggers: input.reloadTriggers ?? [],
  restartIfChanged: input.restartIfChanged ?? true,
  stopIfChanged: input.stopIfChanged ?? true,
  reloadIfChanged: input.reloadIfChanged ?? false,
  stopOnRemoval: input.stopOnRemoval ?? true,
  user: input.user ?? null,
  group: input.group ?? null,
  state: input.state === undefined ? null : State.normalise(input.state),
});

/** The names a record answers to: its own name first, then its provisions. */
export const namesOf = (record: ServiceRecord): ReadonlyArray<string> =>
  record.provides.includes(record.name) ? record.provides : [record.name, ...record.provides];

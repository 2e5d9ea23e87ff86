/**
 * A service as a generation records it: what to run, what it needs, and how it wants to be treated
 * when a switch changes or removes it. `ServiceRecordInput` is the manifest form (defaults omitted);
 * `ServiceRecord` is the normalised form every other module and every plan uses.
 */
import * as t from "io-ts";
import { strictPartial } from "../internal/Strict.js";

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

/** A NUL cannot be passed to a program (argv and the environment are C strings), so it is refused here. */
const ArgString = new t.Type<string, string, unknown>(
  "string",
  (u): u is string => typeof u === "string" && !u.includes("\u0000"),
  (u, c) =>
    typeof u !== "string"
      ? t.failure(u, c, "expected a string")
      : u.includes("\u0000")
        ? t.failure(u, c, "contains a NUL character, which no program can receive")
        : t.success(u),
  (a) => a,
);

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

const Argv = t.array(ArgString, "argv");
const NonEmptyArgv = new t.Type<ReadonlyArray<string>, ReadonlyArray<string>, unknown>(
  "argv",
  (u): u is ReadonlyArray<string> => Array.isArray(u) && u.length > 0 && u.every((x) => ArgString.is(x)),
  (u, c) => {
    const r = Argv.validate(u, c);
    if (r._tag === "Left") return r;
    return r.right.length === 0 ? t.failure(u, c, "expected a non-empty argv array") : t.success(r.right);
  },
  (a) => a,
);

/**
 * Whether argv's program climbs out of the system directory: a relative program with a slash
 * (`bin/db`) runs from the system directory (`S6Service.commandArgv`), so `../other/bin/db` would
 * run another system's code. A bare name (PATH) or an absolute path is the record's own choice.
 */
const climbsOut = (argv: ReadonlyArray<string>): boolean => {
  const program = argv[0];
  if (program === undefined || program.startsWith("/") || !program.includes("/")) return false;
  let depth = 0;
  for (const segment of program.split("/")) {
    if (segment === "..") depth--;
    else if (segment !== "" && segment !== ".") depth++;
    if (depth < 0) return true;
  }
  return false;
};

/** `argv`, refusing a program that climbs out of the system directory. */
const inSystem = <C extends t.Type<ReadonlyArray<string>, ReadonlyArray<string>, unknown>>(argv: C) =>
  new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    argv.name,
    (u): u is t.TypeOf<C> => argv.is(u) && !climbsOut(u),
    (u, c) => {
      const r = argv.validate(u, c);
      if (r._tag === "Left" || !climbsOut(r.right)) return r;
      return t.failure(u, c, `'${r.right[0] ?? ""}' leaves the system directory; use a path inside it or an absolute one`);
    },
    argv.encode,
  );

/** A program to run: a non-empty argv whose program stays inside the system directory (or is absolute or on PATH). */
export const Program = inSystem(NonEmptyArgv);

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
});

/** The names a record answers to: its own name first, then its provisions. */
export const namesOf = (record: ServiceRecord): ReadonlyArray<string> =>
  record.provides.includes(record.name) ? record.provides : [record.name, ...record.provides];

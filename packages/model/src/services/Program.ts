/**
 * Argv values a record runs: no NUL (argv is C strings), non-empty, and a relative program that
 * stays inside the system directory. Its own module so the state declaration can use it too.
 */
import * as t from "io-ts";

/** A NUL cannot be passed to a program (argv and the environment are C strings), so it is refused here. */
export const ArgString = new t.Type<string, string, unknown>(
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
export const inSystem = <C extends t.Type<ReadonlyArray<string>, ReadonlyArray<string>, unknown>>(argv: C) =>
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


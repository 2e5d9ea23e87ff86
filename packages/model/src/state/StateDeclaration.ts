/**
 * What a service record declares of its data: the directories holding it (archived while the
 * service is stopped), the programs that dump and load what only the running service can copy
 * consistently (a database), the data epoch the revision reads and writes, and when a transition
 * restores a snapshot instead of keeping the data on disk. `StateInput` is the manifest form;
 * `State` the normalised one, epoch in its explicit `{read, write}` form.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { InRootPathCodec } from "../paths/InRootPathCodec.js";
import type * as InRootPath from "../paths/InRootPath.js";
import { strictPartial } from "../internal/Strict.js";
import { inSystem, Program } from "../services/Program.js";
import * as Epoch from "./Epoch.js";

/** when-unreadable: only when the target cannot read the data; on-rollback: whenever going back to a revision with a snapshot. */
export const Restore = t.keyof({ "when-unreadable": null, "on-rollback": null }, '"when-unreadable" | "on-rollback"');
export type Restore = t.TypeOf<typeof Restore>;

/** A data directory: absolute, normalised, and not the root itself. */
const StatePath = new t.Type<InRootPath.InRootPath, string, unknown>(
  "state path",
  (u): u is InRootPath.InRootPath => InRootPathCodec.is(u) && u !== "/",
  (u, c) => {
    const r = InRootPathCodec.validate(u, c);
    if (E.isLeft(r)) return r;
    return r.right === "/" ? t.failure(u, c, "the root itself cannot be a service's data directory; name the directory that holds the data") : r;
  },
  (a) => a,
);

const Fields = strictPartial(
  {},
  { paths: t.array(StatePath), dump: Program, load: Program, epoch: Epoch.EpochSyntax, restore: Restore },
  "state",
);

const within = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}/`);

/** The whole declaration's rules, each reported at the field it concerns. */
const wholeProblem = (s: t.TypeOf<typeof Fields>): { readonly key: string; readonly message: string } | null => {
  const paths = s.paths ?? [];
  if (paths.length === 0 && s.dump === undefined) return { key: "paths", message: "state needs data directories (paths) or a dump program; declare at least one" };
  if ((s.dump === undefined) !== (s.load === undefined)) {
    return s.dump === undefined
      ? { key: "load", message: "a load program needs a dump program that writes what it reads; add dump" }
      : { key: "dump", message: "a dump needs a load program to restore it; add load" };
  }
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < paths.length; j++) {
      const a = paths[i] as string;
      const b = paths[j] as string;
      if (i !== j && within(a, b)) return { key: "paths", message: `'${a}' ${a === b ? "is listed twice" : `lies inside '${b}'`}; list each data directory once` };
    }
  }
  return null;
};

export const StateInput = new t.Type<t.TypeOf<typeof Fields>, t.OutputOf<typeof Fields>, unknown>(
  "state",
  (u): u is t.TypeOf<typeof Fields> => Fields.is(u) && wholeProblem(u) === null,
  (u, c) => {
    const r = Fields.validate(u, c);
    if (E.isLeft(r)) return r;
    const problem = wholeProblem(r.right);
    if (problem === null) return r;
    const actual = (u as Record<string, unknown>)[problem.key];
    return t.failure(actual, [...c, { key: problem.key, type: t.unknown, actual }], problem.message);
  },
  Fields.encode,
);
export type StateInput = t.TypeOf<typeof StateInput>;

const Argv = t.union([inSystem(t.readonlyArray(t.string)), t.null]);

export const State = t.readonly(
  t.type({ paths: t.readonlyArray(InRootPathCodec), dump: Argv, load: Argv, epoch: Epoch.EpochCodec, restore: Restore }, "State"),
);
export type State = t.TypeOf<typeof State>;

export const normalise = (input: StateInput): State => ({
  paths: input.paths ?? [],
  dump: input.dump ?? null,
  load: input.load ?? null,
  epoch: Epoch.normal(input.epoch),
  restore: input.restore ?? "when-unreadable",
});

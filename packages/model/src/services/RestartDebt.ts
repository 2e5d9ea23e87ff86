/**
 * Restart debt: services left running old code by a switch — `restartIfChanged: false`, the
 * conservative policy, a reload-class change the record cannot reload, or a removed service kept
 * running — recorded in `/var/lib/switchyard/restart-debt.json` until they are restarted or the
 * machine boots again (entries carry the boot they were recorded in). The plan writes the file as
 * one of its steps, so `plan` shows the debt a switch would leave.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { InRootPathCodec } from "../paths/InRootPathCodec.js";
import type * as InRootPath from "../paths/InRootPath.js";
import type * as ServiceDiff from "./ServiceDiff.js";
import type * as Step from "../plan/Step.js";
import type * as World from "../world/World.js";

export const PATH = "/var/lib/switchyard/restart-debt.json" as InRootPath.InRootPath;

const Code = t.readonly(t.type({ generation: t.union([t.number, t.null]), system: t.union([InRootPathCodec, t.null]) }));

export const Entry = t.readonly(
  t.type(
    {
      service: t.string,
      /** Whose code it runs. */
      runs: Code,
      /** Whose code the running generation has for it (null system: removed from it). */
      wants: Code,
      reason: t.string,
      bootId: t.string,
    },
    "RestartDebtEntry",
  ),
);
export type Entry = t.TypeOf<typeof Entry>;

export const File = t.readonly(t.type({ version: t.literal(1), entries: t.readonlyArray(Entry) }, "RestartDebt"));

export const fromText = (text: string): E.Either<string, ReadonlyArray<Entry>> => {
  try {
    const decoded = File.decode(JSON.parse(text));
    return E.isRight(decoded) ? E.right(decoded.right.entries) : E.left("not a restart-debt record");
  } catch {
    return E.left("not valid JSON");
  }
};

export const render = (entries: ReadonlyArray<Entry>): string => `${JSON.stringify({ version: 1, entries }, null, 2)}\n`;

/** The debt that still stands: entries from this boot only. */
export const standing = (world: World.World): ReadonlyArray<Entry> => world.restartDebt.entries.filter((e) => e.bootId === world.bootId);

export interface Switch {
  readonly diff: ServiceDiff.ServiceDiff;
  readonly running: { readonly generation: number | null; readonly system: InRootPath.InRootPath | null };
  readonly target: { readonly generation: number; readonly system: InRootPath.InRootPath; readonly services: ReadonlySet<string> };
  readonly conservative: boolean;
}

/** The debt after a switch: old entries for services it did not touch, plus what it skipped. */
export const after = (world: World.World, s: Switch): ReadonlyArray<Entry> => {
  const touched = new Set<string>([...s.diff.stop, ...s.diff.start, ...s.diff.restart, ...s.diff.reload].map((r) => r.name));
  const previous = new Map(standing(world).map((e) => [e.service, e]));
  const entries: Array<Entry> = [];
  for (const name of s.diff.skip as ReadonlyArray<string>) {
    const kept = s.target.services.has(name);
    const runs = previous.get(name)?.runs ?? { generation: s.running.generation, system: s.running.system };
    // Running the target's own code already: nothing owed.
    if (kept && runs.system === s.target.system) continue;
    entries.push({
      service: name,
      runs,
      wants: kept ? { generation: s.target.generation, system: s.target.system } : { generation: null, system: null },
      reason: !kept ? "removed, kept running (stopOnRemoval is false)" : s.conservative ? "changed, left running (--services conservative)" : "changed, not restarted (restartIfChanged is false)",
      bootId: world.bootId,
    });
  }
  for (const [name, e] of previous) {
    if (touched.has(name) || (s.diff.skip as ReadonlyArray<string>).includes(name)) continue;
    if (!s.target.services.has(name) && !(s.diff.unchanged as ReadonlyArray<string>).includes(name)) continue;
    if (e.runs.system === s.target.system) continue;
    entries.push({ ...e, wants: { generation: s.target.generation, system: s.target.system } });
  }
  return entries.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
};

/** The step that records `entries`, or null when the record on disk already says the same. */
export const step = (world: World.World, entries: ReadonlyArray<Entry>): Step.Step | null => {
  if (entries.length === 0) return world.restartDebt.text === null ? null : { _tag: "RemoveFile", path: PATH };
  const content = render(entries);
  return world.restartDebt.text === content ? null : { _tag: "WriteFile", path: PATH, content };
};

/** The step that puts the record back as it was before a switch (for its revert). */
export const restore = (world: World.World): Step.Step =>
  world.restartDebt.text === null ? { _tag: "RemoveFile", path: PATH } : { _tag: "WriteFile", path: PATH, content: world.restartDebt.text };

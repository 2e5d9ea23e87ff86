/**
 * What a plan does to each service, and why, read from the plan alone (a saved plan is shown the
 * same way as a fresh one): the forward steps carry the records a service stops with (old) and
 * starts with (new), the revert steps the old records of what changes in place, and the restart
 * debt the plan records says why a service is left on old code. Field names come from the model's
 * `ServiceDiff.changedFields`, so "changed: env" names exactly what the diff rules compared.
 */
import { RestartDebt, ServiceDiff, ServiceGraph, type Plan, type ServiceRecord, type Step } from "@switchyard/model";

/** `replace`: stopped before activation and started after (a `-/+`). */
export type Action = "stop" | "replace" | "restart" | "reload" | "start" | "skip";

export interface Line {
  readonly name: string;
  readonly action: Action;
  readonly why: string | null;
}

type Svc = ServiceRecord.ServiceRecord;

const ORDER: ReadonlyArray<Action> = ["stop", "replace", "restart", "reload", "start", "skip"];

const refs = (steps: ReadonlyArray<Step.Step>, tags: ReadonlyArray<Step.Step["_tag"]>): Map<string, Step.ServiceRef> => {
  const out = new Map<string, Step.ServiceRef>();
  for (const s of steps) if (tags.includes(s._tag) && "service" in s) out.set(s.service.record.name, s.service);
  return out;
};

const records = (steps: ReadonlyArray<Step.Step>, tags: ReadonlyArray<Step.Step["_tag"]>): Map<string, Svc> =>
  new Map([...refs(steps, tags)].map(([name, ref]) => [name, ref.record] as const));

/** A restart onto the current code: what it ran before (the revert's record says), and what differs. */
const restartLines = (plan: Plan.Plan): ReadonlyArray<Line> => {
  const back = refs(plan.revert, ["RestartService", "StartService"]);
  const onto = records(plan.steps, ["RestartService"]);
  const to = plan.to === null ? "the current generation" : `generation ${plan.to}`;
  const why = (name: string): string => {
    const was = back.get(name);
    if (was === undefined) return `already runs ${to}'s code`;
    const fields = changed(was.record, onto.get(name));
    return `runs ${was.generation === null ? "older" : `generation ${was.generation}'s`} code${fields === null ? "" : ` (${fields})`}`;
  };
  return [
    ...plan.services.stop.map((name) => ({ name, action: "stop" as const, why: `not in ${to}: stopped` })),
    ...plan.services.restart.map((name) => ({ name, action: "restart" as const, why: why(name) })),
  ];
};

/** Why each service the plan leaves on old code stays there, from the debt record it writes. */
const debtReasons = (plan: Plan.Plan): ReadonlyMap<string, string> => {
  const write = plan.steps.find((s): s is Extract<Step.Step, { _tag: "WriteFile" }> => s._tag === "WriteFile" && s.path === RestartDebt.PATH);
  const entries = write === undefined ? null : RestartDebt.fromText(write.content);
  return new Map(entries === null || entries._tag === "Left" ? [] : entries.right.map((e) => [e.service, e.reason] as const));
};

const changed = (before: Svc | undefined, after: Svc | undefined): string | null => {
  if (before === undefined || after === undefined) return null;
  const fields = ServiceDiff.changedFields(before, after);
  return fields.length === 0 ? null : `changed: ${fields.join(", ")}`;
};

export const lines = (plan: Plan.Plan): ReadonlyArray<Line> => {
  if (plan.operation._tag === "Restart") return restartLines(plan);
  const stopped = records(plan.steps, ["StopService"]);
  const started = records(plan.steps, ["StartService", "RestartService", "ReloadService"]);
  const restoredOld = records(plan.revert, ["StartService", "RestartService", "ReloadService"]);
  const stoppedByRevert = records(plan.revert, ["StopService"]);
  const old = (name: string) => stopped.get(name) ?? restoredOld.get(name);
  const stoppedNames = new Set([...stopped.values()].flatMap((r) => [r.name, ...r.provides]));
  const skipped = debtReasons(plan);
  const to = plan.to === null ? "the target" : `generation ${plan.to}`;
  const s = plan.services;
  const out: Array<Line> = [];
  const add = (names: ReadonlyArray<string>, action: Action, why: (name: string) => string | null) => {
    for (const name of names) out.push({ name, action, why: why(name) });
  };
  const both = new Set(s.stop.filter((n) => s.start.includes(n)));
  add(
    s.stop.filter((n) => !both.has(n)),
    "stop",
    () => (plan.operation._tag === "Delete" ? null : `not in ${to}`),
  );
  add([...both], "replace", (n) => {
    const after = started.get(n);
    const needs = after?.requires.find((r) => stoppedNames.has(r) && r !== n);
    return changed(stopped.get(n), after) ?? (needs === undefined ? null : `requires ${needs}, which stops`);
  });
  add(s.restart, "restart", (n) => {
    const what = changed(old(n), started.get(n));
    return what === null ? null : `${what} (in place: stopIfChanged is false)`;
  });
  add(s.reload, "reload", (n) => changed(old(n), started.get(n)));
  add(
    s.start.filter((n) => !both.has(n)),
    "start",
    (n) => {
      const what = changed(old(n), started.get(n));
      if (what !== null) return `was not running; ${what}`;
      return stoppedByRevert.has(n) && old(n) === undefined ? `new in ${to}` : "was not running";
    },
  );
  add(s.skip, "skip", (n) => skipped.get(n) ?? "left running");
  return out.sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || ServiceGraph.compareNames(a.name, b.name));
};

/** "3 to stop, 4 to start, 1 to restart, 1 to reload, 2 left on old code" (only the non-zero parts). */
export const counts = (s: Plan.ServiceSummary): ReadonlyArray<string> => {
  const parts: ReadonlyArray<readonly [number, string]> = [
    [s.stop.length, "to stop"],
    [s.start.length, "to start"],
    [s.restart.length, "to restart"],
    [s.reload.length, "to reload"],
    [s.skip.length, "left on old code"],
  ];
  return parts.flatMap(([n, what]) => (n === 0 ? [] : [`${n} ${what}`]));
};

import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as Decode from "../../../packages/model/src/codec/Decode.js";
import type * as Plan from "../../../packages/model/src/plan/Plan.js";
import * as PlanFile from "../../../packages/model/src/plan/PlanFile.js";
import type * as ServiceRecord from "../../../packages/model/src/services/ServiceRecord.js";
import * as Transition from "../../../packages/model/src/transition/Transition.js";
import * as Worlds from "../../support/worlds.js";

/** A switch with services whose records carry an env var named `checksum`, a boot menu and a revert. */
const record = (r: object) => r as ServiceRecord.ServiceRecordInput;

const realPlan = (): Plan.Plan => {
  const world = Worlds.world(
    [
      { number: 1, services: [record({ name: "web", start: ["bin/web"], env: { checksum: "abc", MODE: "one" } })] },
      { number: 2, services: [record({ name: "web", start: ["bin/web"], env: { checksum: "def", MODE: "two" } }), record({ name: "db", start: ["bin/db"] })] },
    ],
    { current: 1, settings: { serviceManager: "s6" }, liveServices: ["web"] },
  );
  const p = Transition.between(world, { operation: { _tag: "Switch", spec: "2" }, mode: "switch", nowMs: 0 });
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

const plan = realPlan();
const text = PlanFile.toText(plan);
const document = JSON.parse(text) as Record<string, unknown>;

type Path = ReadonlyArray<string | number>;

/** Every leaf of a JSON value with its path, the top-level checksum excepted. */
const leaves = (value: unknown, path: Path = []): Array<Path> => {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (path.length === 0 && k === "checksum" ? [] : leaves(v, [...path, k])));
  }
  return [path];
};

const changed = (v: unknown): unknown => (typeof v === "string" ? `${v}x` : typeof v === "number" ? v + 1 : typeof v === "boolean" ? !v : 0);

/** A copy of the document with the leaf at `path` replaced. */
const edit = (doc: unknown, path: Path, f: (v: unknown) => unknown): unknown => {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let at = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  at[last] = f(at[last]);
  return copy;
};

const refusal = (t: string): string => {
  const r = PlanFile.fromText(t, "plan.json");
  if (E.isRight(r)) throw new Error("accepted");
  return Decode.describe(r.left);
};

describe("the plan file", () => {
  it("round-trips: the saved document decodes to the plan it was made from", () => {
    expect(PlanFile.fromText(text, "plan.json")).toEqual(E.right(plan));
    expect(document).toMatchObject({ format: "switchyard-plan", version: 3 });
    expect(document.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("does not depend on key order or layout", () => {
    const reordered = Object.fromEntries(Object.entries(document).reverse());
    expect(PlanFile.fromText(JSON.stringify(reordered), "plan.json")).toEqual(E.right(plan));
  });

  it("refuses an edit of any leaf at any depth (property)", () => {
    const all = leaves(document);
    expect(all.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), (i) => {
        const path = all[i] as Path;
        expect(E.isLeft(PlanFile.fromText(JSON.stringify(edit(document, path, changed)), "plan.json")), path.join(".")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("covers a nested key named checksum (a service's env var)", () => {
    const steps = document.steps as ReadonlyArray<{ _tag: string; service?: { record: { env: Record<string, string> } } }>;
    const i = steps.findIndex((s) => s._tag === "StartService" && s.service?.record.env.checksum !== undefined);
    expect(i).toBeGreaterThanOrEqual(0);
    const tampered = edit(document, ["steps", i, "service", "record", "env", "checksum"], () => "tampered");
    expect(refusal(JSON.stringify(tampered))).toBe(
      "plan.json: checksum: the plan was modified after it was computed (checksum mismatch); compute it again with 'switchyard plan'",
    );
    const dropped = edit(document, ["steps", i, "service", "record", "env"], (env) => ({ ...(env as object), checksum: undefined }));
    expect(E.isLeft(PlanFile.fromText(JSON.stringify(dropped), "plan.json"))).toBe(true);
  });

  it("refuses an added field", () => {
    expect(refusal(JSON.stringify({ ...document, extra: 1 }))).toContain("checksum mismatch");
  });

  it("refuses another format version, naming both", () => {
    expect(refusal(JSON.stringify({ ...document, version: 1 }))).toBe(
      "plan.json: version: the plan has format version 1, but this switchyard reads version 3; compute the plan again with 'switchyard plan'",
    );
    expect(refusal(JSON.stringify({ ...document, version: 2 }))).toContain("the plan has format version 2, but this switchyard reads version 3");
    expect(refusal(JSON.stringify({ ...document, version: undefined }))).toContain("format no version, but this switchyard reads version 3");
  });

  it("names line and column for text that is not JSON, and refuses what is not a plan", () => {
    expect(refusal('{\n  "format": "switchyard-plan",\n  oops\n}')).toMatch(/^plan\.json:3:3: /);
    expect(refusal("[]")).toContain('plan.json: format: not a switchyard plan (no "format": "switchyard-plan")');
    expect(refusal(JSON.stringify({ ...document, checksum: undefined }))).toBe(
      "plan.json: checksum: the plan has no checksum; save plans with 'switchyard plan ... --out FILE'",
    );
  });

  it("decodes the fields only once the checksum holds, naming the field", () => {
    const bad = edit(document, ["steps", 0, "service", "system"], () => "/../etc");
    const { checksum: _, ...body } = bad as Record<string, unknown>;
    const resealed = { ...body, checksum: PlanFile.checksumOf(body) };
    expect(refusal(JSON.stringify(resealed))).toMatch(/^plan\.json: steps\[0\]\.service\.system: /);
  });
});

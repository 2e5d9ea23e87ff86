import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as GenerationDiff from "../../packages/model/src/services/GenerationDiff.js";
import * as ServiceDiff from "../../packages/model/src/services/ServiceDiff.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as Arb from "../arbitraries/services.js";
import * as Worlds from "../support/worlds.js";

const svc = (name: string, extra: Omit<ServiceRecord.ServiceRecordInput, "name" | "start"> & { readonly start?: ReadonlyArray<string> } = {}): ServiceRecord.ServiceRecordInput =>
  ({ start: ["/bin/sleep", "infinity"], ...extra, name: name as ServiceRecord.ServiceName }) as ServiceRecord.ServiceRecordInput;

const diff = (a: Worlds.GenerationSpec, b: Worlds.GenerationSpec) => {
  const d = GenerationDiff.between(Worlds.generation(a), Worlds.generation(b));
  if (d._tag === "Left") throw new Error(d.left.message);
  return d.right;
};

describe("GenerationDiff.between", () => {
  it("names the boot entry, label and activation changes", () => {
    const d = diff(
      { number: 1, label: "OS 1", boot: { params: ["quiet"] }, activate: "/store/1-system/activate" },
      { number: 2, label: "OS 2", boot: { params: ["quiet", "debug"], initrd: null }, activate: null },
    );
    expect(d.from).toEqual({ number: 1, system: "/store/1-system", label: "OS 1" });
    expect(d.label).toEqual({ from: "OS 1", to: "OS 2" });
    expect(d.boot.kernel).toEqual({ from: "/store/1-system/kernel", to: "/store/2-system/kernel" });
    expect(d.boot.initrd).toEqual({ from: "/store/1-system/initrd", to: null });
    expect(d.boot.params).toEqual({ from: ["quiet"], to: ["quiet", "debug"], added: ["debug"], removed: [] });
    expect(d.activate).toEqual({ from: "/store/1-system/activate", to: null });
  });

  it("a generation against itself differs in nothing", () => {
    const g = { number: 1, services: [svc("db"), svc("web", { requires: ["db"] })], boot: { params: ["quiet"] } };
    const d = diff(g, g);
    expect(GenerationDiff.isEmpty(d)).toBe(true);
    expect(d.services.unchanged).toEqual(["db", "web"]);
  });

  it("services: added, removed (and whether a switch stops them), changed with their fields and the decision", () => {
    const d = diff(
      {
        number: 1,
        services: [
          svc("db", { env: { V: "1" } }),
          svc("web", { requires: ["db"] }),
          svc("cache", { env: { V: "1" }, stopIfChanged: false }),
          svc("rl", { reload: ["/bin/true"], reloadTriggers: ["a"] }),
          svc("pinned", { restartIfChanged: false }),
          svc("gone"),
          svc("kept", { stopOnRemoval: false }),
          svc("same"),
        ],
      },
      {
        number: 2,
        services: [
          svc("db", { env: { V: "2" } }),
          svc("web", { requires: ["db"] }),
          svc("cache", { env: { V: "2" }, stopIfChanged: false }),
          svc("rl", { reload: ["/bin/true"], reloadTriggers: ["b"] }),
          svc("pinned", { restartIfChanged: false, start: ["/bin/other"] }),
          svc("new"),
          svc("same", { description: "only cosmetic" }),
        ],
      },
    );
    expect(d.services.added).toEqual(["new"]);
    expect(d.services.removed).toEqual([
      { name: "gone", stops: true },
      { name: "kept", stops: false },
    ]);
    expect(d.services.changed).toEqual([
      { name: "cache", fields: ["env"], decision: "restart", follows: null },
      { name: "db", fields: ["env"], decision: "stop-start", follows: null },
      { name: "pinned", fields: ["start"], decision: "keep-old-code", follows: null },
      { name: "rl", fields: ["reloadTriggers"], decision: "reload", follows: null },
      // Unchanged itself, but its requirement stops: it stops and starts with it.
      { name: "web", fields: [], decision: "stop-start", follows: "db" },
    ]);
    // A description is cosmetic: not compared, not a change.
    expect(d.services.unchanged).toEqual(["same"]);
  });

  it("refuses a generation whose manifest is invalid, naming it", () => {
    const d = GenerationDiff.between(Worlds.generation({ number: 1 }), Worlds.generation({ number: 2, invalid: "missing" }));
    expect(d).toEqual({ _tag: "Left", left: { _tag: "DiffError", message: "generation 2 cannot be compared: /store/2-system/manifest.json: (file): missing" } });
  });

  it("law: every service of A or B is in exactly one of added, removed, changed, unchanged; decisions agree with ServiceDiff", () => {
    fc.assert(
      fc.property(Arb.generationPair(), ({ previous, next }) => {
        const d = diff({ number: 1, services: Arb.asInput(previous) }, { number: 2, services: Arb.asInput(next) });
        const all = [...d.services.added, ...d.services.removed.map((r) => r.name), ...d.services.changed.map((c) => c.name), ...d.services.unchanged];
        const names = new Set([...previous, ...next].map((r) => r.name as string));
        expect(all.length).toBe(names.size);
        expect(new Set(all)).toEqual(names);
        const switched = ServiceDiff.between(Arb.graphOf(previous), Arb.graphOf(next), new Set(previous.map((r) => r.name)), "live");
        for (const c of d.services.changed) {
          if (c.decision === "restart") expect(switched.restart.map((r) => r.name)).toContain(c.name);
          if (c.decision === "keep-old-code") expect(switched.skip).toContain(c.name);
          expect(c.fields.length > 0 || c.decision === "stop-start").toBe(true);
        }
        for (const u of d.services.unchanged) expect(switched.unchanged).toContain(u);
      }),
    );
  });
});

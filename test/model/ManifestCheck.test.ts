import { describe, expect, it } from "vitest";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as JsonLocate from "../../packages/model/src/codec/JsonLocate.js";
import * as Manifest from "../../packages/model/src/world/Manifest.js";
import * as ManifestCheck from "../../packages/model/src/world/ManifestCheck.js";

const system = InRootPath.unsafe("/store/x");

describe("JsonLocate.locate", () => {
  const text = '{\n  "a": 1,\n  "list": [ {"x": true}, {"y": "s\\"q", "z": [1, 2]} ],\n  "a": 2\n}\n';

  it("points at a member's key, an element's start, the deepest part of a path that exists", () => {
    expect(JsonLocate.locate(text, "list")).toEqual({ line: 3, column: 3 });
    expect(JsonLocate.locate(text, "list[1]")).toEqual({ line: 3, column: 26 });
    expect(JsonLocate.locate(text, "list[1].z")).toEqual({ line: 3, column: 40 });
    expect(JsonLocate.locate(text, "list[1].z[1]")).toEqual({ line: 3, column: 49 });
    // Missing: the closest part that is there.
    expect(JsonLocate.locate(text, "list[1].w")).toEqual({ line: 3, column: 26 });
    expect(JsonLocate.locate(text, "list[7]")).toEqual({ line: 3, column: 3 });
    expect(JsonLocate.locate(text, "(top level)")).toEqual({ line: 1, column: 1 });
  });

  it("a key given twice is located where JSON.parse takes it from: the last one", () => {
    expect(JsonLocate.locate(text, "a")).toEqual({ line: 4, column: 3 });
  });
});

describe("ManifestCheck.problems", () => {
  const lines = (text: string) => ManifestCheck.problems(text, system).map((p) => ManifestCheck.describe("m.json", p));

  it("lists every problem at once, in file order, with line, column and 'did you mean'", () => {
    const text = [
      "{",
      '  "schema": 1,',
      '  "label": "L",',
      '  "boot": { "kernal": "k" },',
      '  "services": [',
      '    { "name": "db", "start": ["/bin/db"], "restartIfChanges": false },',
      '    { "name": "web", "start": ["/bin/web"], "stopIfChanged": "no" }',
      "  ]",
      "}",
    ].join("\n");
    expect(lines(text)).toEqual([
      "m.json:4:3: boot.kernel: missing; expected a non-empty string",
      "m.json:4:13: boot.kernal: unknown field 'kernal'; did you mean 'kernel'?",
      "m.json:6:43: services[0].restartIfChanges: unknown field 'restartIfChanges'; did you mean 'restartIfChanged'?",
      "m.json:7:45: services[1].stopIfChanged: expected boolean, found string \"no\"",
    ]);
  });

  it("no suggestion for a field far from every known one", () => {
    expect(lines('{"schema": 1, "label": "L", "boot": {"kernel": "k"}, "colour": "red"}')).toEqual(["m.json:1:54: colour: unknown field 'colour'"]);
  });

  it("a syntax error stops there, with its position", () => {
    expect(lines('{"schema": 1,\n  "label" "L"}')).toEqual(["m.json:2:11: expected ':' after the property name, found '\"'"]);
  });

  it("checks of the whole come once the fields decode, located too", () => {
    const text = '{"schema": 1, "label": "L", "boot": {"kernel": "k"},\n "services": [{"name": "web", "start": ["w"], "requires": ["db"]}]}';
    expect(lines(text)).toEqual(["m.json:2:60: services[0].requires[0]: 'web' requires 'db', which no service in this generation provides"]);
  });

  it("a valid manifest has none, and the one-line decoder agrees with the first problem's field", () => {
    const valid = '{"schema": 1, "label": "L", "boot": {"kernel": "k"}}';
    expect(ManifestCheck.problems(valid, system)).toEqual([]);
    const bad = '{"schema": 1, "label": "L", "boot": {"kernel": "k"}, "services": [{"name": "a", "start": ["x"], "stopIfChange": true}]}';
    const one = Manifest.fromText(bad, system, "m.json");
    expect(one._tag === "Left" && one.left.message).toBe("unknown field 'stopIfChange'; did you mean 'stopIfChanged'?");
    expect(ManifestCheck.problems(bad, system).map((p) => p.field)).toEqual(["services[0].stopIfChange"]);
  });
});

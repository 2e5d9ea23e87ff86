/**
 * State declarations in manifest.json: a good one normalises (epoch in its explicit form, the
 * defaults filled in) and each bad one is one problem line naming the file, the line, the field
 * and what to do, as `add` prints it before it refuses (exit 2).
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as InRootPath from "../../../packages/model/src/paths/InRootPath.js";
import * as Manifest from "../../../packages/model/src/world/Manifest.js";
import * as ManifestCheck from "../../../packages/model/src/world/ManifestCheck.js";

const system = InRootPath.unsafe("/store/x");

/** A manifest whose one service (line 5) carries `extra` as its further fields. */
const text = (extra: string) =>
  ['{', '  "schema": 1, "label": "L", "boot": { "kernel": "k" },', '  "services": [', '    {', `      "name": "db", "start": ["bin/db"], ${extra}`, "    }", "  ]", "}", ""].join("\n");
const lines = (extra: string) => ManifestCheck.problems(text(extra), system).map((p) => ManifestCheck.describe("m.json", p));

describe("state declarations", () => {
  it("a full declaration normalises, with user and group", () => {
    const decoded = Manifest.decode(
      JSON.parse(text('"user": "postgres", "group": "postgres", "state": { "paths": ["/var/lib/db"], "dump": ["bin/dump"], "load": ["bin/load"], "epoch": "2*", "restore": "on-rollback" }')),
      system,
      "m.json",
    );
    expect(E.isRight(decoded) && decoded.right.services[0]).toMatchObject({
      user: "postgres",
      group: "postgres",
      state: { paths: ["/var/lib/db"], dump: ["bin/dump"], load: ["bin/load"], epoch: { read: [1, 2], write: [2] }, restore: "on-rollback" },
    });
  });

  it("defaults: epoch 0, restore when unreadable, no programs", () => {
    const decoded = Manifest.decode(JSON.parse(text('"state": { "paths": ["/var/lib/db"] }')), system, "m.json");
    expect(E.isRight(decoded) && decoded.right.services[0]?.state).toEqual({ paths: ["/var/lib/db"], dump: null, load: null, epoch: { read: [0], write: [0] }, restore: "when-unreadable" });
    expect(E.isRight(decoded) && decoded.right.services[0]?.user).toBeNull();
  });

  it.each([
    ['"state": { "paths": ["/var/lib/db"], "epoch": "0*" }', "m.json:5:79: services[0].state.epoch: 0* is an invalid epoch"],
    ['"state": { "paths": ["/var/lib/db"], "epoch": "01" }', "m.json:5:79: services[0].state.epoch: epoch numbers must be base 10 with no zero padding, but got '01'"],
    ['"state": { "paths": ["/var/lib/db"], "epoch": { "read": [1], "write": [2] } }', "m.json:5:79: services[0].state.epoch: epoch read and write lists must have a non-empty intersection"],
    ['"state": { "paths": ["/var/lib/db"], "epoch": { "read": [2, 1] } }', "m.json:5:79: services[0].state.epoch: epoch list must be a strictly increasing sequence"],
    ['"state": { "paths": ["/var/lib/db"], "epoch": { "write": [] } }', "m.json:5:79: services[0].state.epoch: epoch list cannot be explicitly empty"],
    ['"state": { "paths": ["var/lib/db"] }', "m.json:5:63: services[0].state.paths[0]: 'var/lib/db' is not an absolute path"],
    ['"state": { "paths": ["/"] }', "m.json:5:63: services[0].state.paths[0]: the root itself cannot be a service's data directory; name the directory that holds the data"],
    ['"state": { "paths": ["/var/lib", "/var/lib/db"] }', "m.json:5:53: services[0].state.paths: '/var/lib/db' lies inside '/var/lib'; list each data directory once"],
    ['"state": { "epoch": "1" }', "m.json:5:42: services[0].state.paths: missing; state needs data directories (paths) or a dump program; declare at least one"],
    ['"state": { "paths": ["/d"], "dump": ["bin/dump"] }', "m.json:5:70: services[0].state.dump: a dump needs a load program to restore it; add load"],
    ['"state": { "paths": ["/d"], "dump": ["../x/dump"], "load": ["bin/load"] }', "m.json:5:70: services[0].state.dump: '../x/dump' leaves the system directory; use a path inside it or an absolute one"],
    ['"state": { "paths": ["/d"], "restore": "always" }', "m.json:5:70: services[0].state.restore: expected \"when-unreadable\" | \"on-rollback\", found string \"always\""],
    ['"state": { "paths": ["/d"], "epoc": "1" }', "m.json:5:70: services[0].state.epoc: unknown field 'epoc'; did you mean 'epoch'?"],
    ['"user": "-x"', "m.json:5:42: services[0].user: expected a user or group name: up to 32 letters, digits and . _ - (not starting with . or -)"],
  ])("refuses %s", (extra, line) => {
    expect(lines(extra)).toEqual([line]);
  });
});

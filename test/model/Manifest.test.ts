import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Config from "../../packages/model/src/world/Config.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import * as Manifest from "../../packages/model/src/world/Manifest.js";
import * as Settings from "../../packages/model/src/world/Settings.js";

const system = InRootPath.unsafe("/store/abc-system");
const base = { schema: 1, label: "Example", boot: { kernel: "kernel", initrd: "initrd", params: ["quiet"] } };
const svc = (name: string, extra: object = {}) => ({ name, start: ["bin/x"], ...extra });

const errorOf = (json: unknown) => {
  const r = Manifest.decode(json, system, "m.json");
  if (E.isRight(r)) throw new Error("expected an error");
  return `${r.left.field}: ${r.left.message}`;
};

describe("manifest decoding", () => {
  it("resolves paths against the system directory and fills service defaults", () => {
    const r = Manifest.decode({ ...base, activate: "activate", services: [svc("db"), svc("web", { requires: ["db"], reload: ["bin/r"] })] }, system, "m.json");
    expect(E.isRight(r)).toBe(true);
    if (E.isLeft(r)) return;
    expect(r.right.boot).toEqual({ kernel: "/store/abc-system/kernel", initrd: "/store/abc-system/initrd", params: ["quiet"] });
    expect(r.right.activate).toBe("/store/abc-system/activate");
    expect(r.right.services[1]).toEqual({
      name: "web",
      provides: ["web"],
      requires: ["db"],
      start: ["bin/x"],
      stop: null,
      reload: ["bin/r"],
      env: {},
      description: null,
      reloadTriggers: [],
      restartIfChanged: true,
      stopIfChanged: true,
      reloadIfChanged: false,
      stopOnRemoval: true,
      user: null,
      group: null,
      state: null,
    });
  });

  it("keeps absolute paths and accepts a manifest without initrd, activation or services", () => {
    const r = Manifest.decode({ schema: 1, label: "x", boot: { kernel: "/boot/vmlinuz" } }, system, "m.json");
    expect(r).toEqual(E.right({ label: "x", boot: { kernel: "/boot/vmlinuz", initrd: null, params: [] }, activate: null, services: [] }));
  });

  it.each([
    [{ ...base, schema: 2 }, "schema: unknown schema 2: this switchyard reads schema 1; upgrade switchyard"],
    [{ ...base, boot: { kernel: "" } }, "boot.kernel: expected a non-empty string"],
    [{ ...base, boot: { initrd: "i" } }, "boot.kernel: expected a non-empty string"],
    [{ ...base, boot: { kernel: "k", params: ["a", 1] } }, "boot.params[1]: expected string, found number 1"],
    [{ ...base, kernal: "k" }, "kernal: unknown field 'kernal'"],
    [{ ...base, boot: { kernel: "../../etc/passwd" } }, "boot.kernel: '../../etc/passwd' leaves the system directory; use a path inside it or an absolute one"],
    [{ ...base, services: [svc("a/b")] }, "services[0].name: invalid service name 'a/b': use letters, digits and @ . _ - (not starting with '.')"],
    [{ ...base, services: [svc("..")] }, "services[0].name: invalid service name '..': use letters, digits and @ . _ - (not starting with '.')"],
    [{ ...base, services: [{ name: "a", start: [] }] }, "services[0].start: expected a non-empty argv array"],
    [{ ...base, services: [svc("a", { stop: ["x", 3] })] }, "services[0].stop[1]: expected a string"],
    [{ ...base, services: [svc("a", { restartIfChanged: "no" })] }, 'services[0].restartIfChanged: expected boolean, found string "no"'],
    [{ ...base, services: [svc("a", { colour: "red" })] }, "services[0].colour: unknown field 'colour'"],
    [{ ...base, services: [svc("a"), svc("a")] }, "services[1].name: duplicate service name 'a'; service names must be unique"],
    [{ ...base, services: [svc("a", { requires: ["b"] })] }, "services[0].requires[0]: 'a' requires 'b', which no service in this generation provides"],
    [{ ...base, services: [svc("a", { requires: ["b"] }), svc("b", { requires: ["a"] })] }, "services[0].requires: requirement cycle: a -> b -> a; break the cycle"],
    [{ ...base, services: [svc("a", { provides: ["x"] }), svc("b", { provides: ["x"] })] }, "services[1].provides: 'x' is provided by both 'a' and 'b'"],
  ])("refuses %j with '%s'", (json, message) => {
    expect(errorOf(json)).toBe(message);
  });

  it("reports malformed JSON naming the file", () => {
    const r = Manifest.fromText('{"schema": 1,', system, "/r/store/abc-system/manifest.json");
    expect(E.isLeft(r) && Manifest.errorLine(r.left)).toMatch(/^\/r\/store\/abc-system\/manifest\.json: \(file\): not valid JSON/);
  });
});

describe("config decoding", () => {
  it.each([
    ['{"timeout": -1}', "c.json: timeout: expected whole seconds from 0 to 86400"],
    ['{"bootloader": "lilo"}', "c.json: bootloader: "],
    ['{"profiles": "/x"}', "c.json: profiles: unknown field 'profiles'"],
    ["[", "c.json: not valid JSON; fix or remove it"],
  ])("refuses %s", (text, message) => {
    const r = Config.fromText(text, "c.json");
    expect(E.isLeft(r) && r.left.startsWith(message)).toBe(true);
  });

  it("lets flags win over the file and the file over the defaults", () => {
    const file = { profile: "/p/system", timeout: 9, bootloader: "none" as const };
    expect(Config.settings(file, { bootloader: "grub" })).toEqual(
      E.right({ ...Settings.defaults, profile: "/p/system", bootloader: "grub", timeout: 9, serviceManager: "none" }),
    );
  });
});

/**
 * The model's side of checks: the direction, the built-in checks (users and groups, kernel, reboot),
 * what a check's run means, how items join, and how choices are keyed, voided and turned into the
 * migrations a plan carries.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as Assessment from "../../../packages/model/src/checks/Assessment.js";
import * as Builtin from "../../../packages/model/src/checks/Builtin.js";
import * as Checks from "../../../packages/model/src/checks/Checks.js";
import * as Choice from "../../../packages/model/src/checks/Choice.js";
import type { Item } from "../../../packages/model/src/checks/Item.js";
import * as InRootPath from "../../../packages/model/src/paths/InRootPath.js";
import * as Manifest from "../../../packages/model/src/world/Manifest.js";
import * as Transition from "../../../packages/model/src/transition/Transition.js";
import type * as World from "../../../packages/model/src/world/World.js";
import * as Worlds from "../../support/worlds.js";

const PASSWD = "root:x:0:0:root:/root:/bin/sh\n# a comment\npostgres:x:70:70::/var/lib/postgres:/bin/false\nbroken line\n";
const GROUP = "root:x:0:\npostgres:x:70:\nwheel:x:10:alice\n";

describe("direction", () => {
  it("is decided from the generation numbers: higher is an upgrade, lower a rollback, none current an upgrade", () => {
    expect([Checks.direction(1, 2), Checks.direction(3, 2), Checks.direction(2, 2), Checks.direction(null, 1)]).toEqual(["upgrade", "rollback", "same", "upgrade"]);
  });
});

describe("built-in checks", () => {
  it("a uid or gid the target assigns against what /etc/passwd and /etc/group say: both ways, one item per name", () => {
    const observed = { passwd: PASSWD, group: GROUP };
    expect(Builtin.users([{ name: "postgres", uid: 70, group: "postgres", gid: 70 }], observed)).toEqual([]);
    const items = Builtin.users(
      [
        { name: "postgres", uid: 71, group: "postgres", gid: 70 },
        { name: "mallory", uid: 0, group: "staff", gid: 10 },
        { name: "newbie", uid: 1000, group: "newbie", gid: 1000 },
      ],
      observed,
    );
    expect(items.map((i) => [i.id, i.severity])).toEqual([
      ["users:postgres", "error"],
      ["users:mallory", "error"],
      ["groups:staff", "error"],
    ]);
    expect(items[0]?.message).toContain("uid 71, but /etc/passwd gives it uid 70");
    expect(items[1]?.message).toContain("gives it to 'root'");
    expect(items[2]?.message).toContain("/etc/group gives it to 'wheel'");
    expect(Builtin.users([{ name: "x", uid: 5, group: "x", gid: 5 }], { passwd: "", group: "" })).toEqual([]);
  });

  it("kernel: a minimum release, compared part by part, only for switch and test", () => {
    expect([Builtin.atLeast("6.8.0-49-generic", "6.1"), Builtin.atLeast("6.1", "6.1.0"), Builtin.atLeast("5.15.3", "6.1"), Builtin.atLeast("6.10", "6.9"), Builtin.atLeast("6.1.2", "6.1.10")]).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(Builtin.kernel({ kernel: "6.1" }, "switch", "5.15.0-91-generic").map((i) => [i.id, i.severity])).toEqual([["kernel", "error"]]);
    expect(Builtin.kernel({ kernel: "6.1" }, "test", "5.15.0")).toHaveLength(1);
    expect(Builtin.kernel({ kernel: "6.1" }, "boot", "5.15.0")).toEqual([]);
    expect(Builtin.kernel({ kernel: "6.1" }, "try", "5.15.0")).toEqual([]);
    expect(Builtin.kernel({ kernel: "6.1" }, "switch", "6.1.0")).toEqual([]);
    expect(Builtin.kernel(undefined, "switch", "1.0")).toEqual([]);
  });

  it("reboot: a recommendation naming what of the boot entry changed, for switch and test", () => {
    const running = Worlds.manifest({ number: 1 });
    const same = { ...Worlds.manifest({ number: 2 }), boot: running.boot };
    const other = Worlds.manifest({ number: 2, boot: { params: ["quiet"] } });
    expect(Builtin.reboot(running, same, "switch")).toEqual([]);
    const items = Builtin.reboot(running, other, "test");
    expect(items.map((i) => [i.id, i.severity])).toEqual([["reboot", "recommendation"]]);
    expect(items[0]?.message).toBe("the target's kernel, initrd and boot parameters differ from the running system's; reboot to use them");
    expect(Builtin.reboot(running, { ...other, boot: { ...running.boot, kernel: "/other" } }, "switch")[0]?.message).toBe("the target's kernel differs from the running system's; reboot to use it");
    expect(Builtin.reboot(running, other, "boot")).toEqual([]);
    expect(Builtin.reboot(null, other, "switch")).toEqual([]);
  });
});

const ended = (over: Partial<Extract<Assessment.Run, { _tag: "Ended" }>>): Assessment.Run => ({ _tag: "Ended", exitCode: 0, signal: null, timedOut: false, timeoutSeconds: 60, stdout: "", lastLines: [], ...over });
const ITEM: Item = { id: "db", severity: "error", message: "schema 2 needs 3", resolutions: [{ id: "migrate", description: "migrate", migrations: [{ id: "m1", run: ["bin/m1"] }] }, { id: "accept", description: "keep it" }] };

describe("a check's run", () => {
  it("a valid report gives its items; a failure, a timeout, a signal or garbage is one error item naming the check", () => {
    expect(Assessment.ofRun("db", ended({ stdout: JSON.stringify({ items: [ITEM] }) }))).toEqual([ITEM]);
    const one = (run: Assessment.Run) => {
      const items = Assessment.ofRun("db", run);
      expect(items.map((i) => [i.id, i.severity, i.resolutions])).toEqual([["check:db", "error", []]]);
      return items[0]?.message ?? "";
    };
    expect(one(ended({ exitCode: 3, lastLines: ["", "no database", ""] }))).toContain("exited with status 3 (last output: no database)");
    expect(one(ended({ timedOut: true, exitCode: null, timeoutSeconds: 5 }))).toContain("timed out after 5s");
    expect(one(ended({ exitCode: null, signal: "SIGKILL" }))).toContain("killed by SIGKILL");
    expect(one(ended({ stdout: "all good!" }))).toContain("printed no valid report: check 'db':1:1");
    expect(one(ended({ stdout: JSON.stringify({ items: [{ ...ITEM, severity: "fatal" }] }) }))).toContain("items[0]");
    expect(one(ended({ stdout: null }))).toContain("printed more than");
    expect(one({ _tag: "NotStarted", message: "cannot run bin/x: not found" })).toContain("could not be run: cannot run bin/x");
  });

  it("join: built-in items first; an id reported twice is an error item of the check that repeats it", () => {
    const reboot: Item = { id: "reboot", severity: "recommendation", message: "r" };
    const joined = Assessment.join([reboot], [["a", [ITEM]], ["b", [{ ...ITEM, message: "again" }, { id: "w", severity: "warning", message: "w" }]]]);
    expect(joined.map((i) => i.id)).toEqual(["reboot", "db", "check:b", "w"]);
  });
});

const world = (current: number): World.World => {
  const w = Worlds.world([{ number: 1 }, { number: 2 }, { number: 3 }], { current });
  return w;
};
const plan = (w: World.World, spec: string, mode: "switch" | "boot" = "switch") => {
  const p = Transition.between(w, { operation: { _tag: "Switch", spec }, mode, nowMs: 0 });
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

describe("the transition checks look at", () => {
  it("a switch or rollback has one, with its environment; a delete has none", () => {
    const w = world(2);
    const context = Checks.contextOf(w, plan(w, "1"));
    expect(context).toMatchObject({ from: 2, to: 1, fromSystem: "/store/2-system", toSystem: "/store/1-system", direction: "rollback", mode: "switch", epochs: "{}" });
    expect(Checks.environment(context as Checks.Context, "/")).toEqual({
      SWITCHYARD_FROM: "2",
      SWITCHYARD_TO: "1",
      SWITCHYARD_DIRECTION: "rollback",
      SWITCHYARD_FROM_SYSTEM: "/store/2-system",
      SWITCHYARD_TO_SYSTEM: "/store/1-system",
      SWITCHYARD_MODE: "switch",
      SWITCHYARD_ROOT: "/",
      SWITCHYARD_EPOCHS: "{}",
    });
    const del = Transition.between(w, { operation: { _tag: "Delete", pattern: "1" }, mode: "switch", nowMs: 0 });
    expect(E.isRight(del) && Checks.contextOf(w, del.right)).toBe(null);
    expect(E.isRight(del) && [del.right.items, del.right.choiceKey]).toEqual([[], null]);
  });

  it("a plan made purely already carries its transition key and the reboot recommendation; choices and migrations come later", () => {
    const w = world(2);
    const p = plan(w, "3");
    expect(p.choiceKey).toEqual(Choice.keyOf(Checks.contextOf(w, p) as Checks.Context));
    expect(p.items.map((i) => i.id)).toEqual(["reboot"]);
    expect([p.choices, p.migrations]).toEqual([[], []]);
    expect(plan(w, "3", "boot").items).toEqual([]);
  });
});

describe("choices", () => {
  const context = (toSystem: string, to = 3): Checks.Context => ({ from: 2, to, fromSystem: "/store/2-system", toSystem, direction: "upgrade", mode: "switch", epochs: "{}" });
  const key = Choice.keyOf(context("/store/3-system"));
  const pending = Choice.reported(null, key, [ITEM, { id: "w", severity: "warning", message: "w", resolutions: [{ id: "fix", description: "f", migrations: [{ id: "m1", run: ["bin/m1"] }, { id: "m2", run: ["bin/m2"], requires: ["m1"] }] }] }]);

  it("are keyed by both generations and both system directories: a rebuilt target under the same number is another transition", () => {
    expect(Choice.sameTransition(key, Choice.keyOf(context("/store/3-system")))).toBe(true);
    expect(Choice.sameTransition(key, Choice.keyOf(context("/store/3-rebuilt")))).toBe(false);
    expect(Choice.sameTransition(key, Choice.keyOf(context("/store/3-system", 4)))).toBe(false);
  });

  it("choose checks the item and the resolution against the pending items", () => {
    expect(Choice.choose(null, "db", "migrate")).toEqual(E.left(expect.stringContaining("no items are pending")));
    expect(Choice.choose(pending, "dbb", "migrate")).toEqual(E.left(expect.stringContaining("no pending item 'dbb'; pending: db, w")));
    expect(Choice.choose(pending, "db", "nope")).toEqual(E.left(expect.stringContaining("choose one of: migrate, accept")));
    const chosen = Choice.choose(pending, "db", "accept");
    expect(E.isRight(chosen) && chosen.right.choices).toEqual([{ item: "db", resolution: "accept" }]);
  });

  it("apply to their own transition only; reporting another transition's items voids them", () => {
    const chosen = Choice.choose(pending, "db", "migrate");
    if (E.isLeft(chosen)) throw new Error(chosen.left);
    const other = Choice.keyOf(context("/store/3-rebuilt"));
    expect(Choice.applying(chosen.right, key, pending.items)).toEqual([{ item: "db", resolution: "migrate" }]);
    expect(Choice.applying(chosen.right, other, pending.items)).toEqual([]);
    expect(Choice.reported(chosen.right, other, pending.items).choices).toEqual([]);
    expect(Choice.reported(chosen.right, key, pending.items).choices).toEqual([{ item: "db", resolution: "migrate" }]);
    // A resolution the checks no longer offer settles nothing.
    expect(Choice.reported(chosen.right, key, [{ ...ITEM, resolutions: [] }]).choices).toEqual([]);
    expect(E.map(Choice.render)(Choice.fromText(Choice.render(chosen.right), "choices.json"))).toEqual(E.right(Choice.render(chosen.right)));
  });

  it("unresolved errors and the chosen migrations, in item order, each once", () => {
    const choices = [
      { item: "w", resolution: "fix" },
      { item: "db", resolution: "migrate" },
    ];
    expect(Choice.unresolved(pending.items, []).map((i) => i.id)).toEqual(["db"]);
    expect(Choice.unresolved(pending.items, choices)).toEqual([]);
    expect(Choice.unresolved(pending.items, [{ item: "db", resolution: "gone" }]).map((i) => i.id)).toEqual(["db"]);
    expect(Choice.chosenMigrations(pending.items, choices).map((m) => m.id)).toEqual(["m1", "m2"]);
    expect(Choice.chosenMigrations(pending.items, [{ item: "db", resolution: "accept" }])).toEqual([]);
  });

  it("a saved plan whose items, key, choices or migrations differ from a fresh one's is stale", () => {
    const w = world(2);
    const p = plan(w, "3");
    const a = Assessment.attach(p, key, [ITEM], []);
    expect(Assessment.difference(a, Assessment.attach(p, key, [ITEM], []))).toBe(null);
    expect(Assessment.unresolved(a).map((i) => i.id)).toEqual(["db"]);
    const b = Assessment.attach(p, key, [ITEM], [{ item: "db", resolution: "migrate" }]);
    expect(b.migrations.map((m) => m.id)).toEqual(["m1"]);
    expect(Assessment.difference(a, b)).toContain("choices");
    expect(Assessment.difference(a, Assessment.attach(p, key, [{ ...ITEM, message: "other" }], []))).toContain("the checks now report other items");
    expect(Assessment.difference(a, Assessment.attach(p, Choice.keyOf(context("/x")), [ITEM], []))).toContain("another transition");
  });
});

describe("the manifest's declarations", () => {
  const system = InRootPath.unsafe("/store/1-system");
  const base = { schema: 1, label: "x", boot: { kernel: "k" } };
  it("checks, users and requires decode; absent, they are absent; duplicate check names and bad values are refused", () => {
    const m = Manifest.decode({ ...base, checks: [{ name: "db", run: ["bin/check-db"] }], users: [{ name: "pg", uid: 70, group: "pg", gid: 70 }], requires: { kernel: "6.1" } }, system, "m.json");
    expect(E.isRight(m) && [m.right.checks, m.right.users, m.right.requires]).toEqual([[{ name: "db", run: ["bin/check-db"] }], [{ name: "pg", uid: 70, group: "pg", gid: 70 }], { kernel: "6.1" }]);
    const plain = Manifest.decode(base, system, "m.json");
    expect(E.isRight(plain) && "checks" in plain.right).toBe(false);
    const dup = Manifest.decode({ ...base, checks: [{ name: "db", run: ["a"] }, { name: "db", run: ["b"] }] }, system, "m.json");
    expect(E.isLeft(dup) && Manifest.errorLine(dup.left)).toBe("m.json: checks[1].name: duplicate check name 'db'; check names must be unique");
    expect(E.isLeft(Manifest.decode({ ...base, checks: [{ name: "db", run: ["../../bin/x"] }] }, system, "m.json"))).toBe(true);
    expect(E.isLeft(Manifest.decode({ ...base, requires: { kernel: "six" } }, system, "m.json"))).toBe(true);
    expect(E.isLeft(Manifest.decode({ ...base, users: [{ name: "a:b", uid: 1, group: "g", gid: 1 }] }, system, "m.json"))).toBe(true);
  });
});

/**
 * The runner on the in-memory ports: phases around the boot (the "after" migrations of a boot-mode
 * switch wait until /run/current-system is the target), new items that pause the graph, what a
 * migration is told and who it runs as.
 */
import { Effect, Exit, Layer } from "effect";
import { describe, expect, it } from "vitest";
import * as MemoryFileSystem from "../../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as MemoryProcessRunner from "../../../packages/interpreter/src/memory/MemoryProcessRunner.js";
import { fixedClock } from "../../../packages/interpreter/src/node/NodeClock.js";
import * as Durable from "../../../packages/interpreter/src/durable/Durable.js";
import * as Begin from "../../../packages/interpreter/src/migrations/Begin.js";
import * as GraphFile from "../../../packages/interpreter/src/migrations/GraphFile.js";
import * as Items from "../../../packages/interpreter/src/migrations/Items.js";
import * as Runner from "../../../packages/interpreter/src/migrations/Runner.js";
import * as Root from "../../../packages/interpreter/src/root/Root.js";
import type { Migration } from "../../../packages/model/src/checks/Item.js";
import { defaultSettings } from "../../support/worlds.js";
import type { Mode } from "../../../packages/model/src/plan/Request.js";
import type { GenerationNumber } from "../../../packages/model/src/world/GenerationNumber.js";
import type { InRootPath } from "../../../packages/model/src/paths/InRootPath.js";

const root = Root.make("/machine");
const ITEMS = '{"items": [{"id": "reindex", "severity": "warning", "message": "the index is stale"}]}';

const setup = (migrations: ReadonlyArray<Migration>, mode: Mode, script: MemoryProcessRunner.Script = () => ({ _tag: "Exit", code: 0 })) => {
  const fs = MemoryFileSystem.makeMemoryFileSystem({
    seed: {
      "/machine/var/lib/switchyard": { kind: "directory" },
      "/machine/run/current-system": { kind: "symlink", target: "/store/one" },
      "/machine/etc/passwd": { kind: "file", content: "root:x:0:0::/root:/bin/sh\npostgres:x:70:71::/var/lib/postgres:/bin/sh\n" },
    },
  });
  const runner = MemoryProcessRunner.make({ script });
  const layer = Layer.mergeAll(fs.layer, runner.layer, fixedClock(1_700_000_000_000));
  const go = <A, E>(e: Effect.Effect<A, E, never>) => Effect.runPromise(e);
  const step = { _tag: "BeginMigrations", from: 1 as GenerationNumber, to: 2 as GenerationNumber, mode, fromSystem: "/store/one" as InRootPath, toSystem: "/store/two" as InRootPath, migrations, settings: defaultSettings } as const;
  return {
    fs,
    runner,
    begin: () => go(Begin.run(step, root).pipe(Effect.provide(layer))),
    run: (stop?: Effect.Effect<"SIGTERM" | null>) => go(Runner.continueGraph({ root, jobs: 2, ...(stop === undefined ? {} : { stop }) }).pipe(Effect.provide(layer))),
    ran: () => runner.runs.map((r) => r.env.SWITCHYARD_MIGRATION),
    items: () => go(Items.readFile(root).pipe(Effect.provide(layer))),
    record: () => Effect.runPromiseExit(GraphFile.read(root).pipe(Effect.provide(layer))),
  };
};

describe("the migration runner", () => {
  it("in mode boot runs the before migrations now and the rest once the target was booted", async () => {
    const m = setup([{ id: "backup", run: ["bin/backup"], reboot: "before" }, { id: "convert", run: ["bin/convert"], requires: ["backup"] }], "boot");
    await m.begin();
    const first = await m.run();
    expect(m.ran()).toEqual(["backup"]);
    expect(first?.outcome).toEqual({ _tag: "WaitingForBoot", waiting: ["convert"] });
    // The machine booted generation 2.
    await Effect.runPromise(Durable.replaceSymlink("/machine/run/current-system", "/store/two").pipe(Effect.provide(m.fs.layer)));
    const second = await m.run();
    expect(m.ran()).toEqual(["backup", "convert"]);
    expect(second?.outcome._tag).toBe("Complete");
    expect(await m.record()).toEqual(Exit.succeed(null));
  });

  it("pauses on new items, keeps them for the choices, and starts nothing else", async () => {
    const m = setup([{ id: "scan", run: ["bin/scan"] }, { id: "after", run: ["bin/after"], requires: ["scan"] }], "switch", (r) =>
      r.env.SWITCHYARD_MIGRATION === "scan" ? { _tag: "Exit", code: 0, lines: ["scanning", ITEMS] } : { _tag: "Exit", code: 0 },
    );
    await m.begin();
    const report = await m.run();
    expect(report?.outcome._tag).toBe("Paused");
    expect(report?.record.paused).toEqual({ by: "scan", items: ["reindex"] });
    expect(m.ran()).toEqual(["scan"]);
    expect((await m.items())?.items.map((i) => i.id)).toEqual(["reindex"]);
  });

  it("fails a migration whose items line does not decode, naming the field", async () => {
    const m = setup([{ id: "scan", run: ["bin/scan"] }], "switch", () => ({ _tag: "Exit", code: 0, lines: ['{"items": [{"id": "x", "severity": "fatal", "message": "m"}]}'] }));
    await m.begin();
    const report = await m.run();
    expect(report?.outcome).toMatchObject({ _tag: "Failed", failed: ["scan"] });
    expect(report?.record.progress.scan?.message).toContain("migration 'scan' printed items that cannot be read");
  });

  it("tells a migration the transition, runs it in the target's directory and as its user", async () => {
    const m = setup([{ id: "db", run: ["bin/db", "--up"], user: "postgres", timeout: 5 }, { id: "ghost", run: ["bin/x"], user: "nobody-here" }], "switch");
    await m.begin();
    const report = await m.run();
    const db = m.runner.runs.find((r) => r.env.SWITCHYARD_MIGRATION === "db");
    expect(db).toMatchObject({
      argv: ["/machine/store/two/bin/db", "--up"],
      cwd: "/machine/store/two",
      timeoutMs: 5000,
      user: { uid: 70, gid: 71 },
      env: { SWITCHYARD_FROM: "1", SWITCHYARD_TO: "2", SWITCHYARD_DIRECTION: "upgrade", SWITCHYARD_TO_SYSTEM: "/store/two", SWITCHYARD_ROOT: "/machine" },
    });
    // A user that does not exist fails that migration without running anything.
    expect(m.ran()).toEqual(["db"]);
    expect(report?.record.progress.ghost?.message).toBe("user 'nobody-here' is not in /machine/etc/passwd");
  });

  it("after a stop signal starts nothing more, lets what runs finish, and keeps the graph", async () => {
    const m = setup([{ id: "a", run: ["bin/a"] }, { id: "b", run: ["bin/b"], requires: ["a"] }], "switch");
    await m.begin();
    const report = await m.run(Effect.sync(() => (m.runner.runs.length > 0 ? "SIGTERM" : null)));
    expect(report?.stoppedBy).toBe("SIGTERM");
    expect(m.ran()).toEqual(["a"]);
    expect(report?.record.progress.b?.status).toBe("pending");
    expect(Exit.isSuccess(await m.record())).toBe(true);
  });
});

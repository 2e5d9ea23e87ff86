/**
 * The ServiceManager port's contract, run against the s6 manager (a real s6-svscan on a scan
 * directory inside a temp root, services that are shell scripts in a system directory there) and
 * against the in-memory twin the interpreter tests use. Both must give the same observable results
 * for the same operations: start brings a service up on the requested revision, stop brings it down
 * and out of the status, restart onto another revision replaces the process, reload keeps it, every
 * operation repeated is a no-op, and a service that cannot start is reported as a ServiceError
 * naming it. Each test uses its own service names, so the tests of one subject share a supervisor.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Effect, Either, Layer } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as MemoryServiceManager from "../../packages/interpreter/src/memory/MemoryServiceManager.js";
import { NodeFileSystemLive } from "../../packages/interpreter/src/node/NodeFileSystem.js";
import { NodeProcessRunnerLive } from "../../packages/interpreter/src/node/NodeProcessRunner.js";
import { NodeClockLive } from "../../packages/interpreter/src/node/NodeClock.js";
import { ServiceError, ServiceManager, type ServiceManagerService } from "../../packages/interpreter/src/ports/ServiceManager.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";
import * as S6ServiceManager from "../../packages/interpreter/src/services/s6/S6ServiceManager.js";
import * as S6Supervisor from "../../packages/interpreter/src/services/s6/S6Supervisor.js";
import type * as Config from "../../packages/model/src/world/Config.js";
import * as InRootPath from "../../packages/model/src/paths/InRootPath.js";
import type * as Step from "../../packages/model/src/plan/Step.js";
import * as ServiceRecord from "../../packages/model/src/services/ServiceRecord.js";
import * as ServiceRevision from "../../packages/model/src/services/ServiceRevision.js";

const SYSTEM = "/store/contract-system-1";

interface Subject {
  readonly manager: ServiceManagerService;
  /** A reference to a service `name` that cannot start: it fails every start. */
  readonly failing: (name: string) => Step.ServiceRef;
  readonly dispose: () => Promise<void>;
}

/** A service of the system directory: `bin/svc` sleeps; `env` makes distinct revisions of the same program. */
const ref = (name: string, extra: Partial<ServiceRecord.ServiceRecordInput> = {}): Step.ServiceRef =>
  ({
    system: InRootPath.unsafe(SYSTEM),
    generation: 1,
    record: ServiceRecord.normalise({ name: name as ServiceRecord.ServiceName, start: ["bin/svc"], ...extra }),
  }) as Step.ServiceRef;

const s6Subject = async (): Promise<Subject> => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-s6-contract-")));
  const bin = path.join(dir, SYSTEM, "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "svc"), "#!/bin/sh\nexec sleep 1000\n", { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "crash"), '#!/bin/sh\necho "crashing: cannot open the database"\nexit 3\n', { mode: 0o755 });
  const root = Root.make(dir);
  const settings: Config.ServiceSettings = { scanDirectory: InRootPath.unsafe("/run/switchyard/services"), serviceTimeoutMs: 5000, settleMs: 150 };
  const ports = Layer.mergeAll(NodeFileSystemLive, NodeProcessRunnerLive, NodeClockLive);
  await Effect.runPromise(S6Supervisor.start(root, settings).pipe(Effect.provide(ports)));
  const manager = Effect.runSync(Effect.provide(ServiceManager, S6ServiceManager.layer({ root, settings }).pipe(Layer.provide(ports))));
  return {
    manager,
    failing: (name) => ref(name, { start: ["bin/crash"] }),
    dispose: async () => {
      try {
        await Effect.runPromise(S6Supervisor.stop(root, settings).pipe(Effect.provide(ports)));
      } finally {
        // A stop that failed leaves the pid file: no s6-svscan of this test outlives it.
        const pidFile = S6Supervisor.pidFile(root);
        if (fs.existsSync(pidFile)) spawnSync("kill", [fs.readFileSync(pidFile, "utf8").trim()]);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
};

const memorySubject = async (): Promise<Subject> => {
  const memory = MemoryServiceManager.make();
  return {
    manager: memory.service,
    failing: (name) => {
      memory.failOn("start", name);
      return ref(name);
    },
    dispose: async () => {},
  };
};

const run = <A>(effect: Effect.Effect<A, ServiceError>): Promise<A> => Effect.runPromise(effect);

describe.each([
  ["s6", s6Subject],
  ["memory", memorySubject],
] as const)("ServiceManager contract: %s", (_name, make) => {
  let s: Subject;
  beforeAll(async () => {
    s = await make();
  }, 30_000);
  afterAll(async () => {
    await s.dispose();
  }, 30_000);

  /** What the manager reports for `name`: absent when it does not list it. */
  const observed = async (name: string) => (await run(s.manager.status))?.find((o) => o.name === name);
  const isLive = async (name: string) => (await run(s.manager.live))?.includes(name) ?? false;
  /** Up, on exactly the revision, generation and system of `r`, with a pid; returns the pid. */
  const expectRunning = async (r: Step.ServiceRef): Promise<number> => {
    const o = await observed(r.record.name);
    expect(o).toMatchObject({ up: true, revision: ServiceRevision.ofRef(r), generation: r.generation, system: r.system });
    expect(o?.pid).toEqual(expect.any(Number));
    expect(await isLive(r.record.name)).toBe(true);
    return o?.pid as number;
  };
  const expectDown = async (name: string) => {
    expect((await observed(name))?.up ?? false).toBe(false);
    expect(await isLive(name)).toBe(false);
  };

  it("start brings a service up on the requested revision; starting it again changes nothing", async () => {
    const web = ref("web-start");
    await expectDown("web-start");
    expect(await run(s.manager.start(web))).toBe("executed");
    const pid = await expectRunning(web);
    await run(s.manager.start(web));
    expect(await expectRunning(web)).toBe(pid);
  });

  it("start of a service that runs another revision puts the requested one in its place", async () => {
    const v1 = ref("web-replace", { env: { V: "1" } });
    const v2 = ref("web-replace", { env: { V: "2" } });
    await run(s.manager.start(v1));
    const pid = await expectRunning(v1);
    await run(s.manager.start(v2));
    expect(await expectRunning(v2)).not.toBe(pid);
  });

  it("stop brings a service down and out of the status; stopping it again, or one never started, changes nothing", async () => {
    const db = ref("db-stop");
    await run(s.manager.start(db));
    await expectRunning(db);
    expect(await run(s.manager.stop(db))).toBe("executed");
    await expectDown("db-stop");
    expect(await observed("db-stop")).toBeUndefined();
    await run(s.manager.stop(db));
    await expectDown("db-stop");
    await run(s.manager.stop(ref("never-started")));
    await expectDown("never-started");
  });

  it("restart onto another revision replaces the process (a new pid) and records the revision", async () => {
    const v1 = ref("app-restart", { env: { V: "1" } });
    const v2 = ref("app-restart", { env: { V: "2" } });
    await run(s.manager.start(v1));
    const pid = await expectRunning(v1);
    expect(await run(s.manager.restart(v2))).toBe("executed");
    const restarted = await expectRunning(v2);
    expect(restarted).not.toBe(pid);
    // Onto the revision that runs already: restarted all the same (that is what was asked), and
    // it ends on that revision, so a step run again after a crash ends where it would have.
    await run(s.manager.restart(v2));
    const again = await expectRunning(v2);
    expect(again).not.toBe(restarted);
  });

  it("restart of a service that is down brings it up", async () => {
    const cold = ref("cold-restart");
    await run(s.manager.restart(cold));
    await expectRunning(cold);
  });

  it("reload keeps the process and records the new revision; reloading again changes nothing", async () => {
    const v1 = ref("rl-reload", { reload: ["true"], reloadTriggers: ["config-1"] });
    const v2 = ref("rl-reload", { reload: ["true"], reloadTriggers: ["config-2"] });
    await run(s.manager.start(v1));
    const pid = await expectRunning(v1);
    expect(await run(s.manager.reload(v2))).toBe("executed");
    expect(await expectRunning(v2)).toBe(pid);
    await run(s.manager.reload(v2));
    expect(await expectRunning(v2)).toBe(pid);
  });

  it("reload of a service that is down, or that has no reload command, starts it on the new revision", async () => {
    const down = ref("rl-down", { reload: ["true"] });
    await run(s.manager.reload(down));
    await expectRunning(down);
    const plain1 = ref("rl-none", { env: { V: "1" } });
    const plain2 = ref("rl-none", { env: { V: "2" } });
    await run(s.manager.start(plain1));
    const pid = await expectRunning(plain1);
    await run(s.manager.reload(plain2));
    expect(await expectRunning(plain2)).not.toBe(pid);
  });

  it("a service that cannot start is reported as a ServiceError naming it, and stop then clears it", async () => {
    const bad = s.failing("bad-start");
    const result = await Effect.runPromise(Effect.either(s.manager.start(bad)));
    expect(Either.isLeft(result)).toBe(true);
    if (Either.isLeft(result)) {
      expect(result.left).toBeInstanceOf(ServiceError);
      expect(result.left.service).toBe("bad-start");
      expect(result.left.message).toContain("bad-start");
    }
    await run(s.manager.stop(bad));
    await expectDown("bad-start");
    expect(await observed("bad-start")).toBeUndefined();
  });

  it("status lists exactly the services that were started and not stopped", async () => {
    const a = ref("list-a");
    const b = ref("list-b");
    await run(s.manager.start(a));
    await run(s.manager.start(b));
    await run(s.manager.stop(a));
    const names = (await run(s.manager.status))?.map((o) => o.name).filter((n) => n.startsWith("list-"));
    expect(names).toEqual(["list-b"]);
  });
});

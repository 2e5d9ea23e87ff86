/**
 * The process port confined to the root: a program below the root, its working directory and a
 * detached program's log file are used where they really are, and one that leads out of the root
 * through a link is never started. What the file system remembered is forgotten once a program
 * ran, since the program may have changed the tree. (The file-system half is in
 * FileSystem.contract.test.ts.)
 */
import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import { makeMemoryFileSystem } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import * as MemoryProcessRunner from "../../packages/interpreter/src/memory/MemoryProcessRunner.js";
import { FileSystem } from "../../packages/interpreter/src/ports/FileSystem.js";
import { ProcessRunner, type RunRequest } from "../../packages/interpreter/src/ports/ProcessRunner.js";
import * as ConfinedPorts from "../../packages/interpreter/src/root/ConfinedPorts.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";

const ROOT = "/machine";
const OUTSIDE = "/elsewhere";

const setUp = () => {
  const memory = makeMemoryFileSystem({
    seed: {
      [`${ROOT}/store/a/activate`]: { kind: "file", content: "#!/bin/sh\n" },
      [`${ROOT}/store/a/bin/svc`]: { kind: "file", content: "#!/bin/sh\n" },
      [`${ROOT}/store/b/activate`]: { kind: "symlink", target: "../a/activate" },
      [`${ROOT}/store/evil/activate`]: { kind: "symlink", target: `${OUTSIDE}/evil` },
      [`${ROOT}/store/evil/bin`]: { kind: "symlink", target: "../../../elsewhere" },
      [`${ROOT}/store/away`]: { kind: "symlink", target: OUTSIDE },
      [`${ROOT}/boot/grub/grub.cfg`]: { kind: "file", content: "menu" },
      [`${OUTSIDE}/evil`]: { kind: "file", content: "#!/bin/sh\nrm -rf /\n" },
    },
  });
  const runner = MemoryProcessRunner.make();
  const layer = ConfinedPorts.layer(Root.make(ROOT)).pipe(Layer.provide(Layer.mergeAll(memory.layer, runner.layer)));
  const outside = () => memory.snapshot({ under: OUTSIDE });
  const before = outside();
  const go = <A, E>(effect: Effect.Effect<A, E, FileSystem | ProcessRunner>) =>
    Effect.runPromise(Effect.either(effect).pipe(Effect.provide(layer)));
  return { memory, runner, go, outsideUnchanged: () => expect(outside()).toEqual(before) };
};

const request = (argv: ReadonlyArray<string>, cwd = `${ROOT}/store/a`): RunRequest => ({ argv, env: {}, cwd, timeoutMs: 1000 });
const runIt = (r: RunRequest) => Effect.flatMap(ProcessRunner, (p) => p.run(r));

describe("programs run confined to the root", () => {
  it("an activation script that is a link out of the root is not started: SpawnFailed naming the link", async () => {
    const m = setUp();
    const result = await m.go(runIt(request([`${ROOT}/store/evil/activate`], `${ROOT}/store/evil`)));
    expect(result._tag).toBe("Left");
    expect(result._tag === "Left" && result.left).toMatchObject({
      _tag: "ProcessError",
      reason: "SpawnFailed",
      message: `cannot resolve ${ROOT}/store/evil/activate: ${ROOT}/store/evil/activate resolves outside the root (to ${OUTSIDE}/evil); switchyard never follows a link out of its root; it was not run`,
    });
    expect(m.runner.runs).toEqual([]);
    m.outsideUnchanged();
  });

  it("a relative program whose directory is a link climbing out is not started", async () => {
    const m = setUp();
    const result = await m.go(runIt(request(["bin/stop", "now"], `${ROOT}/store/evil`)));
    expect(result._tag === "Left" && result.left.message).toContain(`${ROOT}/store/evil/bin resolves outside the root (to ../../../elsewhere)`);
    expect(m.runner.runs).toEqual([]);
  });

  it("a working directory that leads out of the root is refused", async () => {
    const m = setUp();
    const result = await m.go(runIt(request(["true"], `${ROOT}/store/away`)));
    expect(result._tag === "Left" && result.left.message).toContain(`${ROOT}/store/away resolves outside the root (to ${OUTSIDE})`);
    expect(m.runner.runs).toEqual([]);
  });

  it("a program linked inside the root runs from where it really is; relative programs and the working directory too", async () => {
    const m = setUp();
    expect((await m.go(runIt(request([`${ROOT}/store/b/activate`, "switch"], `${ROOT}/store/b`))))._tag).toBe("Right");
    expect((await m.go(runIt(request(["bin/svc", "-x"]))))._tag).toBe("Right");
    expect(m.runner.runs.map((r) => [r.argv, r.cwd])).toEqual([
      [[`${ROOT}/store/a/activate`, "switch"], `${ROOT}/store/b`],
      [[`${ROOT}/store/a/bin/svc`, "-x"], `${ROOT}/store/a`],
    ]);
  });

  it("a program found on PATH, or named outside the root, runs as named", async () => {
    const m = setUp();
    expect((await m.go(runIt(request(["s6-svc", "-u", `${ROOT}/run/x`]))))._tag).toBe("Right");
    expect((await m.go(runIt(request(["/bin/sleep", "1"]))))._tag).toBe("Right");
    expect(m.runner.runs.map((r) => r.argv)).toEqual([["s6-svc", "-u", `${ROOT}/run/x`], ["/bin/sleep", "1"]]);
  });

  it("a detached program's log file that is a link out of the root is refused", async () => {
    const m = setUp();
    m.memory.seed({ [`${ROOT}/var/lib/switchyard/supervisor.log`]: { kind: "symlink", target: `${OUTSIDE}/evil` } });
    const detach = Effect.flatMap(ProcessRunner, (p) => p.startDetached({ argv: ["s6-svscan", `${ROOT}/run/s`], cwd: "/", logFile: `${ROOT}/var/lib/switchyard/supervisor.log` }));
    const result = await m.go(detach);
    expect(result._tag === "Left" && result.left.message).toContain("supervisor.log resolves outside the root");
    expect(m.runner.detached).toEqual([]);
  });

  it("after a program ran, directories it may have replaced by links out are resolved again", async () => {
    const m = setUp();
    // The program moves /boot away and puts a link out of the root in its place.
    m.runner.setScript(() => {
      m.memory.seed({ [`${ROOT}/old-boot`]: { kind: "directory" } });
      Effect.runSync(m.memory.service.rename(`${ROOT}/boot`, `${ROOT}/old-boot/boot`));
      Effect.runSync(m.memory.service.symlink(OUTSIDE, `${ROOT}/boot`));
      return { _tag: "Exit", code: 0 };
    });
    const write = (name: string) => Effect.flatMap(FileSystem, (fs) => fs.writeNewFile(`${ROOT}/boot/grub/${name}`, new Uint8Array()));
    const result = await m.go(Effect.all([write("before"), runIt(request([`${ROOT}/store/a/activate`])), Effect.either(write("after"))]));
    expect(result._tag).toBe("Right");
    const after = result._tag === "Right" ? result.right[2] : null;
    expect(after?._tag === "Left" && after.left).toMatchObject({ reason: "OutsideRoot" });
    m.outsideUnchanged();
  });
});

describe("lstatEach confined, with parents proved plain directories", () => {
  it("gives what it gives without the proof for plain parents, and still refuses a parent that is a link out when not told otherwise", async () => {
    const m = setUp();
    const lstatEach = (paths: ReadonlyArray<string>, plain?: ReadonlyArray<boolean>) => Effect.flatMap(FileSystem, (fs) => fs.lstatEach(paths, plain));
    // A first lookup resolves the store; the batch after it is answered from it.
    await m.go(lstatEach([`${ROOT}/store/a`]));
    const paths = [`${ROOT}/store/a/activate`, `${ROOT}/store/a/missing`, `${ROOT}/store/away/evil`];
    const proved = await m.go(lstatEach(paths, [true, true, false]));
    const plain = await m.go(lstatEach(paths));
    expect(proved._tag === "Right" && proved.right.map((s) => ("_tag" in s ? s.reason : s.kind))).toEqual(["file", "NotFound", "OutsideRoot"]);
    expect(String(JSON.stringify(proved))).toBe(String(JSON.stringify(plain)));
    m.outsideUnchanged();
  });
});

/**
 * Temp names that are already taken. Atomic writes create `.NAME.switchyard-tmp-PID-N` next to
 * their target; a pid repeats (in a container, at every boot), so a later run can meet a name an
 * earlier one left, and it may hold a directory or anything else. Such a name is skipped, never
 * removed or written through, so it can never block a run; `recover` removes it and names it.
 */
import { Effect, Layer } from "effect";
import { describe, expect, it } from "vitest";
import * as Apply from "../../packages/interpreter/src/apply/Apply.js";
import { FileSystem, type FileSystemService } from "../../packages/interpreter/src/ports/FileSystem.js";
import * as Recover from "../../packages/interpreter/src/state/Recover.js";
import * as TempName from "../../packages/model/src/paths/TempName.js";
import { MEMORY_ROOT, memoryMachine, planOrThrow, systemOf } from "../support/machine.js";

const TAKEN_PER_NAME = 3;

describe("a temp name taken by a directory", () => {
  it("does not block an apply: the next name is used, the directory is left alone, and recover removes it, naming it", async () => {
    const m = memoryMachine({ generations: [{ number: 1 }, { number: 2 }, { number: 3 }], current: 3 });
    const plan = await planOrThrow(m, { _tag: "Switch", spec: "1" });
    // The first names each atomic write tries are taken by directories with a file inside.
    const planted: Array<string> = [];
    const tries = new Map<string, number>();
    const plant = (path: string) => {
      const base = path.slice(path.lastIndexOf("/") + 1);
      if (!TempName.isTemp(base) || planted.includes(path)) return;
      const stem = path.slice(0, path.lastIndexOf(TempName.MARK));
      const n = tries.get(stem) ?? 0;
      if (n >= TAKEN_PER_NAME) return;
      tries.set(stem, n + 1);
      planted.push(path);
      m.fs.seed({ [`${path}/kept`]: { kind: "file", content: "not switchyard's" } });
    };
    const inner = m.fs.service;
    const disk: FileSystemService = {
      ...inner,
      writeNewFile: (path, data, mode) => Effect.suspend(() => (plant(path), inner.writeNewFile(path, data, mode))),
      symlink: (target, path) => Effect.suspend(() => (plant(path), inner.symlink(target, path))),
    };
    const options = { root: m.root, settings: m.settings, command: "test" };
    const applied = await Effect.runPromiseExit(Apply.applyPlan(plan, options).pipe(Effect.provide(Layer.succeed(FileSystem, disk)), Effect.provide(m.layer)));
    expect(applied._tag, JSON.stringify(applied)).toBe("Success");
    expect(planted.length).toBeGreaterThanOrEqual(2 * TAKEN_PER_NAME);
    const tree = m.snapshot();
    expect(tree["/var/lib/switchyard/profiles/system"]).toEqual({ kind: "symlink", target: "system-1-link" });
    expect(tree["/run/current-system"]).toEqual({ kind: "symlink", target: systemOf(1) });
    // Those inside the journal went with it when the apply finished; every other one is as it was.
    const kept = planted.filter((p) => !p.includes("/var/lib/switchyard/journal/"));
    expect(kept.length).toBeGreaterThanOrEqual(TAKEN_PER_NAME);
    for (const p of kept) expect(tree[`${p.slice(MEMORY_ROOT.length)}/kept`], p).toEqual({ kind: "file", content: "not switchyard's" });

    const recovered = await Effect.runPromise(Recover.recover({ ...options, command: "recover" }).pipe(Effect.provide(m.layer)));
    expect(recovered.action).toBe("nothing");
    expect([...recovered.cleaned].sort()).toEqual([...kept].sort());
    expect(Object.keys(m.snapshot()).filter((p) => p.includes(TempName.MARK))).toEqual([]);
  });
});

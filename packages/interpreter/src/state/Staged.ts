/**
 * The bytes of the big files a plan writes (a boot menu of 10,000 entries is 4 MB), staged before
 * the journal is: each is written once, to a temp sibling of its destination, flushed there (file
 * and directory), and the WriteFile step renames it into place. The journal then records only where
 * each is staged, its size and its SHA-256 (`plan.json`'s `staged` list), not a second copy of it. A
 * staged file that is gone when recovery reads the journal was renamed into place already: its
 * destination holds the same digest, since nothing else writes there (see `writes`). Staged files
 * a run did not use are removed when it ends; a crash before the journal appeared leaves them as
 * temp names, which `recover` removes like any other.
 */
import { InRootPath, type Plan, type Step } from "@switchyard/model";
import { Effect } from "effect";
import * as t from "io-ts";
import * as Durable from "../durable/Durable.js";
import { sha256 } from "../internal/Digest.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export const Ref = t.readonly(
  t.type({ key: t.string, file: t.string, bytes: t.number, sha256: t.string }, "StagedFile"),
  "StagedFile",
);
export type Ref = t.TypeOf<typeof Ref>;
export const Refs = t.readonlyArray(Ref, "StagedFiles");

/** Which step a staged file is for: `f3` is forward step 3, `r0` revert step 0. */
export const keyOf = (phase: "forward" | "revert", index: number): string => `${phase === "forward" ? "f" : "r"}${index}`;

/**
 * Whether a later step of the same phase may change what is at `path` once the write put it there:
 * writes, copies or renames onto it, removes or moves it away, or runs a program (which may do any
 * of that). Recovery re-runs a write from its staged file or from its destination, so a write whose
 * destination can change again keeps its bytes in the journal instead (a boot loader's small state
 * file written twice, an entry written and then renamed).
 */
const overwrittenLater = (steps: ReadonlyArray<Step.Step>, index: number, path: string): boolean =>
  steps.some((s, j) => j > index && (s._tag === "RunActivation" || ("path" in s && s.path === path) || ("from" in s && s.from === path)));

/**
 * Files smaller than this stay in the journal. They cost nothing there, and they are the ones a
 * boot loader itself changes when it boots (GRUB rewrites its environment block in place,
 * systemd-boot renames an entry as it counts tries), possibly before `recover` runs: their bytes
 * must not depend on the destination. A boot menu of the default `boot.menuLimit` (100 entries,
 * about 43 KB) stays too: staging it costs an fsync more and, for its digest, loading a hash
 * function (4–6 ms), more than writing its bytes twice. A longer menu is staged (4 MB at 10,000).
 */
export const STAGE_FROM_BYTES = 64 * 1024;

/** The WriteFile steps whose bytes are staged, by key. */
const writes = (plan: Plan.Plan) => {
  const of = (steps: ReadonlyArray<Step.Step>, phase: "forward" | "revert") =>
    steps.flatMap((step, index) =>
      step._tag === "WriteFile" && step.content.length >= STAGE_FROM_BYTES && !overwrittenLater(steps, index, step.path)
        ? [{ step, key: keyOf(phase, index) }]
        : [],
    );
  return [...of(plan.steps, "forward"), ...of(plan.revert, "revert")];
};

const encoder = new TextEncoder();

/** Write and flush every file `plan` writes to its staged name; on failure, remove what was written. */
export const write = (root: Root.Root, plan: Plan.Plan) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const refs: Array<Ref> = [];
    const dirs = new Set<string>();
    yield* Effect.gen(function* () {
      for (const { step, key } of writes(plan)) {
        const bytes = encoder.encode(step.content);
        const name = yield* Durable.stageFile(Root.host(root, step.path), bytes);
        refs.push({ key, file: InRootPath.join(InRootPath.dirname(step.path), name), bytes: bytes.byteLength, sha256: sha256(bytes) });
        dirs.add(Root.dirnameOf(Root.host(root, step.path)));
      }
      for (const dir of dirs) yield* fs.fsyncDirectory(dir);
    }).pipe(Effect.tapError(() => discard(root, refs).pipe(Effect.ignore)));
    return refs;
  });

/** The plan as the journal keeps it: every staged file's bytes left out (they are in the staged file). */
export const withoutContents = (plan: Plan.Plan, refs: ReadonlyArray<Ref>): Plan.Plan => {
  const staged = new Set(refs.map((r) => r.key));
  const strip = (phase: "forward" | "revert") => (step: Step.Step, index: number): Step.Step =>
    step._tag === "WriteFile" && staged.has(keyOf(phase, index)) ? { ...step, content: "" } : step;
  return { ...plan, steps: plan.steps.map(strip("forward")), revert: plan.revert.map(strip("revert")) };
};

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The plan with each staged file's bytes put back: from the staged file, or, when that was renamed
 * into place already, from the destination. Null content where neither holds the recorded digest.
 */
export const restore = (root: Root.Root, plan: Plan.Plan, refs: ReadonlyArray<Ref>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const contents = new Map<string, string>();
    const missing: Array<string> = [];
    const step = (key: string): Step.Step | undefined => (key.startsWith("f") ? plan.steps : plan.revert)[Number(key.slice(1))];
    for (const r of refs) {
      const s = step(r.key);
      if (s === undefined || s._tag !== "WriteFile") {
        missing.push(r.key);
        continue;
      }
      let found: string | null = null;
      for (const path of [Root.host(root, r.file), Root.host(root, s.path)]) {
        const bytes = yield* fs.readFile(path).pipe(Effect.option);
        if (bytes._tag === "Some" && bytes.value.byteLength === r.bytes && sha256(bytes.value) === r.sha256) {
          found = decoder.decode(bytes.value);
          break;
        }
      }
      if (found === null) missing.push(r.key);
      else contents.set(r.key, found);
    }
    const fill = (phase: "forward" | "revert") => (s: Step.Step, index: number): Step.Step => {
      const content = contents.get(keyOf(phase, index));
      return s._tag === "WriteFile" && content !== undefined ? { ...s, content } : s;
    };
    return { plan: { ...plan, steps: plan.steps.map(fill("forward")), revert: plan.revert.map(fill("revert")) }, missing };
  });

/** Host paths of the staged files, by step key, for the WriteFile steps. */
export const paths = (root: Root.Root, refs: ReadonlyArray<Ref>): ReadonlyMap<string, string> => new Map(refs.map((r) => [r.key, Root.host(root, r.file)]));

/**
 * Remove the staged files still there (a run uses only one phase's), flushing each directory where
 * one was: a run whose files were all moved into place removes nothing and flushes nothing.
 */
export const discard = (root: Root.Root, refs: ReadonlyArray<Ref>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const dirs = new Set<string>();
    for (const r of refs) {
      const host = Root.host(root, r.file);
      const removed = yield* fs.remove(host).pipe(
        Effect.as(true),
        Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(false)),
      );
      if (removed) dirs.add(Root.dirnameOf(host));
    }
    for (const dir of dirs) yield* fs.fsyncDirectory(dir);
  });

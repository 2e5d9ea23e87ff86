/**
 * The FileSystem port's contract, run against both layers: the live one on a fresh temp directory
 * and the in-memory one on an equivalent root. Directory listings are SORTED (by UTF-16 code
 * unit) in both layers. A final property drives both layers with the same random operations and
 * requires the same outcome at every step and the same tree at the end.
 *
 * Both layers are also run confined to their root (`root/ConfinedPorts.ts`, as every command runs
 * them): the whole contract holds unchanged for paths and links that stay inside the root, every
 * way out (a parent directory that is a link out, a link climbing with `..`, an absolute target
 * elsewhere, a path outside) is refused with `OutsideRoot` touching nothing inside or outside,
 * and both confined layers agree on random operations whose links may point out.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Effect } from "effect";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeMemoryFileSystem, contentOf, type Tree, type TreeEntry } from "../../packages/interpreter/src/memory/MemoryFileSystem.js";
import { NodeFileSystemLive } from "../../packages/interpreter/src/node/NodeFileSystem.js";
import { FileSystem, type FileSystemService, type FsError } from "../../packages/interpreter/src/ports/FileSystem.js";
import * as Confine from "../../packages/interpreter/src/root/Confine.js";
import * as ConfinedPorts from "../../packages/interpreter/src/root/ConfinedPorts.js";
import * as Root from "../../packages/interpreter/src/root/Root.js";

interface Subject {
  readonly fs: FileSystemService;
  readonly root: string;
  readonly tree: (mtimes?: boolean) => Tree;
  readonly dispose: () => void;
}

/** A real directory as the same `Tree` shape `MemoryFileSystem.snapshot` returns. */
const treeOfDirectory = (root: string, mtimes = false): Tree => {
  const result: Record<string, TreeEntry> = {};
  const visit = (relative: string): void => {
    for (const name of fs.readdirSync(path.join(root, relative)).sort()) {
      const key = relative === "" ? name : `${relative}/${name}`;
      const full = path.join(root, key);
      const stats = fs.lstatSync(full);
      const time = mtimes ? { mtimeMs: stats.mtimeMs } : {};
      if (stats.isSymbolicLink()) result[key] = { kind: "symlink", target: fs.readlinkSync(full), ...time };
      else if (stats.isFile()) result[key] = { kind: "file", content: contentOf(new Uint8Array(fs.readFileSync(full))), ...time };
      else result[key] = { kind: "directory", ...time };
      if (stats.isDirectory()) visit(key);
    }
  };
  visit("");
  return result;
};

const serviceOf = (layer: typeof NodeFileSystemLive): FileSystemService => Effect.runSync(Effect.provide(FileSystem, layer));

const nodeSubject = (): Subject => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-fs-")));
  return {
    fs: serviceOf(NodeFileSystemLive),
    root,
    tree: (mtimes) => treeOfDirectory(root, mtimes),
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
};

const memorySubject = (root = "/tmp/switchyard-fs-memory"): Subject => {
  const memory = makeMemoryFileSystem({ seed: { [root]: { kind: "directory" } } });
  return { fs: serviceOf(memory.layer), root, tree: (mtimes) => memory.snapshot({ under: root, mtimes }), dispose: () => {} };
};

/** The same subject, its file system confined to its root. */
const confined = (subject: Subject): Subject => ({ ...subject, fs: ConfinedPorts.fileSystem(Confine.make(Root.make(subject.root), subject.fs), subject.fs) });

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const run = <A>(effect: Effect.Effect<A, FsError>): Promise<A> => Effect.runPromise(effect);
/** "ok" or the failure's reason. */
const outcome = (effect: Effect.Effect<unknown, FsError>): Promise<string> =>
  Effect.runPromise(Effect.match(effect, { onFailure: (error) => error.reason, onSuccess: () => "ok" }));

const T1 = 1_600_000_000_000;
const T2 = 1_700_000_000_000;

describe.each([
  ["NodeFileSystem", nodeSubject],
  ["MemoryFileSystem", () => memorySubject()],
  ["NodeFileSystem confined to its root", () => confined(nodeSubject())],
  ["MemoryFileSystem confined to its root", () => confined(memorySubject())],
] as const)("FileSystem contract: %s", (_name, make) => {
  let s: Subject;
  const p = (relative: string): string => path.posix.join(s.root, relative);
  const write = (relative: string, content: string) => run(s.fs.writeNewFile(p(relative), bytes(content)));
  const link = (target: string, relative: string) => run(s.fs.symlink(target, p(relative)));
  const read = async (relative: string) => text(await run(s.fs.readFile(p(relative))));

  beforeEach(() => {
    s = make();
  });
  afterEach(() => s.dispose());

  it("writes a new file and reads back every byte", async () => {
    const data = new Uint8Array([0, 1, 2, 255, 10, 13]);
    await run(s.fs.writeNewFile(p("f"), data));
    expect(await run(s.fs.readFile(p("f")))).toEqual(data);
    expect(await run(s.fs.lstat(p("f")))).toMatchObject({ kind: "file", size: 6 });
  });

  it("writeNewFile fails with Exists on a file, a directory or a dangling link, and leaves them alone", async () => {
    await write("f", "old");
    await run(s.fs.makeDirectory(p("d")));
    await link("nowhere", "dangling");
    expect(await outcome(s.fs.writeNewFile(p("f"), bytes("new")))).toBe("Exists");
    expect(await outcome(s.fs.writeNewFile(p("d"), bytes("new")))).toBe("Exists");
    expect(await outcome(s.fs.writeNewFile(p("dangling"), bytes("new")))).toBe("Exists");
    expect(await read("f")).toBe("old");
    expect(s.tree()).toEqual({ d: { kind: "directory" }, dangling: { kind: "symlink", target: "nowhere" }, f: { kind: "file", content: "old" } });
  });

  it("writeNewFile fails with NotFound without a parent and NotDirectory under a file", async () => {
    await write("f", "");
    expect(await outcome(s.fs.writeNewFile(p("missing/f"), bytes("")))).toBe("NotFound");
    expect(await outcome(s.fs.writeNewFile(p("f/g"), bytes("")))).toBe("NotDirectory");
  });

  it("readFile follows links, and fails with NotFound, IsDirectory, NotDirectory", async () => {
    await write("f", "hello");
    await link("f", "l");
    await run(s.fs.makeDirectory(p("d")));
    expect(await read("l")).toBe("hello");
    expect(await outcome(s.fs.readFile(p("missing")))).toBe("NotFound");
    expect(await outcome(s.fs.readFile(p("d")))).toBe("IsDirectory");
    expect(await outcome(s.fs.readFile(p("f/x")))).toBe("NotDirectory");
  });

  it("readDirectory lists names sorted, through links; NotFound and NotDirectory", async () => {
    await run(s.fs.makeDirectory(p("d")));
    for (const name of ["b", "a", "C", "a.tmp"]) await write(`d/${name}`, "");
    await link("d", "l");
    expect(await run(s.fs.readDirectory(p("d")))).toEqual(["C", "a", "a.tmp", "b"]);
    expect(await run(s.fs.readDirectory(p("l")))).toEqual(["C", "a", "a.tmp", "b"]);
  });

  it("readDirectory fails with NotFound and NotDirectory", async () => {
    await write("f", "");
    expect(await outcome(s.fs.readDirectory(p("missing")))).toBe("NotFound");
    expect(await outcome(s.fs.readDirectory(p("f")))).toBe("NotDirectory");
  });

  it("lstat reports kinds without following the last link, with the link's size and mtime", async () => {
    await write("f", "abc");
    await run(s.fs.makeDirectory(p("d")));
    await link("f", "l");
    await run(s.fs.setModifiedTime(p("l"), T1));
    expect((await run(s.fs.lstat(p("d")))).kind).toBe("directory");
    expect(await run(s.fs.lstat(p("l")))).toMatchObject({ kind: "symlink", size: 1, mtimeMs: T1 });
    expect(await outcome(s.fs.lstat(p("missing")))).toBe("NotFound");
    expect(await outcome(s.fs.lstat(p("f/x")))).toBe("NotDirectory");
  });

  it("lstat identifies an entry: the same ino and ctime while it is untouched, another ino once it is replaced", async () => {
    await link("a", "l");
    const first = await run(s.fs.lstat(p("l")));
    expect(await run(s.fs.lstat(p("l")))).toEqual(first);
    await link("b", "l.new");
    await run(s.fs.rename(p("l.new"), p("l")));
    const second = await run(s.fs.lstat(p("l")));
    expect(second.ino).not.toBe(first.ino);
    expect(second.dev).toBe(first.dev);
    expect(second.ctimeMs).toBeGreaterThanOrEqual(first.ctimeMs);
  });

  it("readEntries lists every entry sorted with its lstat, and the targets asked for", async () => {
    await run(s.fs.makeDirectory(p("d/sub")));
    await write("d/f", "abc");
    await link("x", "d/b-link");
    await link("yy", "d/a-link");
    await link("d", "via");
    const listing = await run(s.fs.readEntries(p("d"), (name) => name === "a-link"));
    expect(listing.entries.map((e) => [e.name, e.stat.kind, e.stat.size, e.target])).toEqual([
      ["a-link", "symlink", 2, "yy"],
      ["b-link", "symlink", 1, null],
      ["f", "file", 3, null],
      ["sub", "directory", expect.any(Number), null],
    ]);
    for (const e of listing.entries) expect(e.stat).toEqual(await run(s.fs.lstat(p(`d/${e.name}`))));
    expect(listing.directory).toMatchObject({ kind: "directory", ino: (await run(s.fs.lstat(p("d")))).ino });
    // Through a link, the directory's own stat is the directory's, not the link's.
    const through = await run(s.fs.readEntries(p("via"), () => true));
    expect(through.directory).toEqual(listing.directory);
    expect(through.entries.map((e) => e.target)).toEqual(["yy", "x", null, null]);
  });

  it("readEntries: a directory whose entries change keeps its ino and its ctime never goes back", async () => {
    await run(s.fs.makeDirectory(p("d")));
    const before = (await run(s.fs.readEntries(p("d"), () => false))).directory;
    await link("x", "d/l");
    const after = (await run(s.fs.readEntries(p("d"), () => false))).directory;
    expect(after.ino).toBe(before.ino);
    expect(after.ctimeMs).toBeGreaterThanOrEqual(before.ctimeMs);
  });

  it("readEntries fails with NotFound and NotDirectory", async () => {
    await write("f", "");
    expect(await outcome(s.fs.readEntries(p("missing"), () => true))).toBe("NotFound");
    expect(await outcome(s.fs.readEntries(p("f"), () => true))).toBe("NotDirectory");
  });

  it("lstatEach gives each path's lstat or its error, in order", async () => {
    await write("f", "abc");
    await link("f", "l");
    const results = await run(s.fs.lstatEach([p("f"), p("missing"), p("l"), p("f/x")]));
    expect(results.map((r) => ("_tag" in r ? r.reason : r.kind))).toEqual(["file", "NotFound", "symlink", "NotDirectory"]);
    expect(results[0]).toEqual(await run(s.fs.lstat(p("f"))));
    expect(results[1]).toMatchObject({ op: "lstat", path: p("missing") });
  });

  it("readLink returns the stored target; Invalid on a non-link, NotFound when missing", async () => {
    await write("f", "");
    await link("../somewhere/else", "l");
    expect(await run(s.fs.readLink(p("l")))).toBe("../somewhere/else");
    expect(await outcome(s.fs.readLink(p("f")))).toBe("Invalid");
    expect(await outcome(s.fs.readLink(p("missing")))).toBe("NotFound");
  });

  it("realPath resolves relative, absolute and intermediate links", async () => {
    await run(s.fs.makeDirectory(p("d/e")));
    await write("d/e/f", "");
    await link("d/e", "rel");
    await link(p("d"), "abs");
    await link("../rel/f", "d/up");
    expect(await run(s.fs.realPath(p("rel/f")))).toBe(p("d/e/f"));
    expect(await run(s.fs.realPath(p("abs/e")))).toBe(p("d/e"));
    expect(await run(s.fs.realPath(p("abs/up")))).toBe(p("d/e/f"));
    expect(await run(s.fs.realPath(s.root))).toBe(s.root);
  });

  it("realPath fails with NotFound on a dangling link and Invalid on a loop", async () => {
    await link("nowhere", "dangling");
    await link("loop", "loop");
    expect(await outcome(s.fs.realPath(p("dangling")))).toBe("NotFound");
    expect(await outcome(s.fs.realPath(p("loop")))).toBe("Invalid");
    expect(await outcome(s.fs.readFile(p("loop/x")))).toBe("Invalid");
  });

  it("symlink fails with Exists whatever is at the path, NotFound without a parent", async () => {
    await write("f", "");
    await run(s.fs.makeDirectory(p("d")));
    await link("a", "l");
    await link("nowhere", "dangling");
    for (const at of ["f", "d", "l", "dangling"]) expect(await outcome(s.fs.symlink("b", p(at)))).toBe("Exists");
    expect(await outcome(s.fs.symlink("b", p("missing/l")))).toBe("NotFound");
    expect(await run(s.fs.readLink(p("l")))).toBe("a");
  });

  it("rename moves a file, and replaces an existing file or symlink", async () => {
    await write("a", "A");
    await write("b", "B");
    await link("b", "l");
    await write("c", "C");
    await run(s.fs.rename(p("a"), p("b")));
    await run(s.fs.rename(p("c"), p("l")));
    expect(s.tree()).toEqual({ b: { kind: "file", content: "A" }, l: { kind: "file", content: "C" } });
  });

  it("rename of a symlink over a symlink switches the link (the generation switch)", async () => {
    await link("gen-1", "current");
    await link("gen-2", "current.tmp");
    await run(s.fs.rename(p("current.tmp"), p("current")));
    expect(s.tree()).toEqual({ current: { kind: "symlink", target: "gen-2" } });
  });

  it("rename moves a directory with its contents, onto a missing name or an empty directory", async () => {
    await run(s.fs.makeDirectory(p("d/sub")));
    await write("d/sub/f", "x");
    await run(s.fs.makeDirectory(p("empty")));
    await run(s.fs.rename(p("d"), p("e")));
    await run(s.fs.rename(p("e"), p("empty")));
    expect(s.tree()).toEqual({
      empty: { kind: "directory" },
      "empty/sub": { kind: "directory" },
      "empty/sub/f": { kind: "file", content: "x" },
    });
  });

  it("rename fails with NotFound, IsDirectory, NotDirectory, NotEmpty, Invalid; same path is a no-op", async () => {
    await write("f", "");
    await run(s.fs.makeDirectory(p("d")));
    await run(s.fs.makeDirectory(p("full")));
    await write("full/x", "");
    expect(await outcome(s.fs.rename(p("missing"), p("g")))).toBe("NotFound");
    expect(await outcome(s.fs.rename(p("f"), p("missing/g")))).toBe("NotFound");
    expect(await outcome(s.fs.rename(p("f"), p("d")))).toBe("IsDirectory");
    expect(await outcome(s.fs.rename(p("d"), p("f")))).toBe("NotDirectory");
    expect(await outcome(s.fs.rename(p("d"), p("full")))).toBe("NotEmpty");
    expect(await outcome(s.fs.rename(p("d"), p("d/sub")))).toBe("Invalid");
    expect(await outcome(s.fs.rename(p("full/x"), p("full")))).toBe("NotEmpty");
    expect(await outcome(s.fs.rename(p("f"), p("f")))).toBe("ok");
    expect(Object.keys(s.tree())).toEqual(["d", "f", "full", "full/x"]);
  });

  it("remove deletes a file or a symlink (not its target); IsDirectory, NotFound", async () => {
    await write("f", "");
    await link("f", "l");
    await run(s.fs.makeDirectory(p("d")));
    await run(s.fs.remove(p("l")));
    expect(await outcome(s.fs.remove(p("d")))).toBe("IsDirectory");
    expect(await outcome(s.fs.remove(p("missing")))).toBe("NotFound");
    expect(s.tree()).toEqual({ d: { kind: "directory" }, f: { kind: "file", content: "" } });
  });

  it("removeEach removes each path in order as remove does, stopping at the first failure, announcing each", async () => {
    await write("f", "");
    await write("g", "");
    await link("f", "l");
    await run(s.fs.makeDirectory(p("d")));
    await write("d/h", "");
    const heard: Array<string> = [];
    const events = { before: (i: number) => heard.push(`before ${i}`), after: (i: number) => heard.push(`after ${i}`) };
    const first = await run(s.fs.removeEach([p("l"), p("d/h"), p("g"), p("d"), p("f")], events));
    expect([first.removed, first.failure?.reason]).toEqual([3, "IsDirectory"]);
    expect(heard).toEqual(["before 0", "after 0", "before 1", "after 1", "before 2", "after 2", "before 3"]);
    expect(s.tree()).toEqual({ d: { kind: "directory" }, f: { kind: "file", content: "" } });
    const missing = await run(s.fs.removeEach([p("f"), p("missing")]));
    expect([missing.removed, missing.failure?.reason]).toEqual([1, "NotFound"]);
    expect(await run(s.fs.removeEach([]))).toEqual({ removed: 0, failure: null });
  });

  it("makeDirectory creates parents, succeeds when present, follows links", async () => {
    await run(s.fs.makeDirectory(p("a/b/c")));
    await run(s.fs.makeDirectory(p("a/b")));
    await link("a", "l");
    await run(s.fs.makeDirectory(p("l/x/y")));
    await run(s.fs.makeDirectory(p("l")));
    expect(Object.keys(s.tree())).toEqual(["a", "a/b", "a/b/c", "a/x", "a/x/y", "l"]);
  });

  it("makeDirectory fails with Exists on a file, NotDirectory under one, NotFound through a dangling link", async () => {
    await write("f", "");
    await link("f", "lf");
    await link("nowhere", "dangling");
    expect(await outcome(s.fs.makeDirectory(p("f")))).toBe("Exists");
    expect(await outcome(s.fs.makeDirectory(p("lf")))).toBe("Exists");
    expect(await outcome(s.fs.makeDirectory(p("f/x")))).toBe("NotDirectory");
    expect(await outcome(s.fs.makeDirectory(p("dangling")))).toBe("NotFound");
    expect(await outcome(s.fs.makeDirectory(p("dangling/x")))).toBe("NotFound");
  });

  it("removeDirectory removes an empty directory; NotEmpty, NotDirectory (file or link), NotFound", async () => {
    await run(s.fs.makeDirectory(p("empty")));
    await run(s.fs.makeDirectory(p("full")));
    await write("full/x", "");
    await link("empty", "l");
    expect(await outcome(s.fs.removeDirectory(p("full")))).toBe("NotEmpty");
    expect(await outcome(s.fs.removeDirectory(p("full/x")))).toBe("NotDirectory");
    expect(await outcome(s.fs.removeDirectory(p("l")))).toBe("NotDirectory");
    expect(await outcome(s.fs.removeDirectory(p("missing")))).toBe("NotFound");
    await run(s.fs.removeDirectory(p("empty")));
    expect(Object.keys(s.tree())).toEqual(["full", "full/x", "l"]);
  });

  it("setModifiedTime sets a file's mtime, and a symlink's without touching its target", async () => {
    await write("f", "");
    await link("f", "l");
    await run(s.fs.setModifiedTime(p("f"), T1));
    await run(s.fs.setModifiedTime(p("l"), T2));
    expect((await run(s.fs.lstat(p("f")))).mtimeMs).toBe(T1);
    expect((await run(s.fs.lstat(p("l")))).mtimeMs).toBe(T2);
    expect(s.tree(true)).toEqual({ f: { kind: "file", content: "", mtimeMs: T1 }, l: { kind: "symlink", target: "f", mtimeMs: T2 } });
    expect(await outcome(s.fs.setModifiedTime(p("missing"), T1))).toBe("NotFound");
  });

  it("fsync accepts files (through links) and directories; fsyncDirectory only directories", async () => {
    await write("f", "");
    await link("f", "lf");
    await run(s.fs.makeDirectory(p("d")));
    await link("d", "ld");
    for (const at of ["f", "lf", "d"]) expect(await outcome(s.fs.fsync(p(at)))).toBe("ok");
    for (const at of ["d", "ld"]) expect(await outcome(s.fs.fsyncDirectory(p(at)))).toBe("ok");
    expect(await outcome(s.fs.fsync(p("missing")))).toBe("NotFound");
    expect(await outcome(s.fs.fsyncDirectory(p("missing")))).toBe("NotFound");
    expect(await outcome(s.fs.fsyncDirectory(p("f")))).toBe("NotDirectory");
  });

  it("errors carry op, path and a one-line message", async () => {
    await write("f", "");
    const error = await Effect.runPromise(Effect.flip(s.fs.rename(p("missing"), p("g"))));
    expect(error).toMatchObject({ _tag: "FsError", reason: "NotFound", op: "rename", path: p("missing") });
    expect(error.message).toBe(`cannot rename ${p("missing")} to ${p("g")}: no such file or directory`);
    expect((await Effect.runPromise(Effect.flip(s.fs.writeNewFile(p("f"), bytes(""))))).message).toBe(
      `cannot create ${p("f")}: file already exists`,
    );
  });

  it("a whole generation switch leaves the expected tree", async () => {
    await run(s.fs.makeDirectory(p("generations/1")));
    await write("generations/1/manifest", "one");
    await link("generations/1", "current");
    await run(s.fs.makeDirectory(p("generations/2")));
    await write("generations/2/manifest.tmp", "two");
    await run(s.fs.fsync(p("generations/2/manifest.tmp")));
    await run(s.fs.rename(p("generations/2/manifest.tmp"), p("generations/2/manifest")));
    await run(s.fs.fsyncDirectory(p("generations/2")));
    await link("generations/2", "current.tmp");
    await run(s.fs.rename(p("current.tmp"), p("current")));
    await run(s.fs.fsyncDirectory(s.root));
    expect(s.tree()).toEqual({
      current: { kind: "symlink", target: "generations/2" },
      generations: { kind: "directory" },
      "generations/1": { kind: "directory" },
      "generations/1/manifest": { kind: "file", content: "one" },
      "generations/2": { kind: "directory" },
      "generations/2/manifest": { kind: "file", content: "two" },
    });
    expect(await read("current/manifest")).toBe("two");
  });
});

// ---------------------------------------------------------------------------------------------
// Both layers agree on random operation sequences.

type Target = string | { readonly absolute: string };
type Op =
  | { readonly op: "writeNewFile"; readonly path: string; readonly content: string }
  | { readonly op: "symlink"; readonly target: Target; readonly path: string }
  | { readonly op: "rename"; readonly from: string; readonly to: string }
  | { readonly op: "setModifiedTime"; readonly path: string }
  | { readonly op: "removeEach"; readonly paths: ReadonlyArray<string> }
  | {
      readonly op:
        | "remove"
        | "makeDirectory"
        | "removeDirectory"
        | "fsync"
        | "fsyncDirectory"
        | "readFile"
        | "readDirectory"
        | "readEntries"
        | "lstat"
        | "readLink"
        | "realPath";
      readonly path: string;
    };

const relativePath = fc.array(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 3 }).map((names) => names.join("/"));
const target: fc.Arbitrary<Target> = fc.oneof(relativePath, fc.constantFrom(".", "nowhere"), relativePath.map((absolute) => ({ absolute })));
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("writeNewFile" as const), path: relativePath, content: fc.constantFrom("", "x", "yy") }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("symlink" as const), target, path: relativePath }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("rename" as const), from: relativePath, to: relativePath }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("makeDirectory" as const), path: relativePath }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("removeEach" as const), paths: fc.array(relativePath, { maxLength: 4 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom(
        "remove" as const,
        "removeDirectory" as const,
        "fsync" as const,
        "fsyncDirectory" as const,
        "setModifiedTime" as const,
        "readFile" as const,
        "readDirectory" as const,
        "readEntries" as const,
        "lstat" as const,
        "readLink" as const,
        "realPath" as const,
      ),
      path: relativePath,
    }),
  },
);

/** Runs `op` and describes its result as a string both layers must agree on. */
const perform = (s: Subject, op: Op): Promise<string> => {
  const p = (relative: string) => path.posix.join(s.root, relative);
  const described = <A>(effect: Effect.Effect<A, FsError>, show: (a: A) => string = () => "") =>
    Effect.runPromise(Effect.match(effect, { onFailure: (e) => `error ${e.reason}`, onSuccess: (a) => `ok ${show(a)}` }));
  switch (op.op) {
    case "writeNewFile":
      return described(s.fs.writeNewFile(p(op.path), bytes(op.content)));
    case "symlink":
      return described(s.fs.symlink(typeof op.target === "string" ? op.target : p(op.target.absolute), p(op.path)));
    case "rename":
      return described(s.fs.rename(p(op.from), p(op.to)));
    case "setModifiedTime":
      return described(s.fs.setModifiedTime(p(op.path), T1));
    case "removeEach": {
      // Which paths were announced and finished, how many removed, and the failure's reason.
      const heard: Array<string> = [];
      return described(s.fs.removeEach(op.paths.map(p), { before: (i) => heard.push(`+${i}`), after: (i) => heard.push(`-${i}`) }), (r) =>
        `${r.removed} ${r.failure?.reason ?? "-"} ${heard.join("")}`,
      );
    }
    case "remove":
    case "makeDirectory":
    case "removeDirectory":
    case "fsync":
    case "fsyncDirectory":
      return described(s.fs[op.op](p(op.path)));
    case "readFile":
      return described(s.fs.readFile(p(op.path)), text);
    case "readDirectory":
      return described(s.fs.readDirectory(p(op.path)), (names) => names.join(","));
    case "readEntries":
      return described(s.fs.readEntries(p(op.path), (name) => name !== "a"), (listing) =>
        listing.entries.map((e) => `${e.name}:${e.stat.kind}:${e.stat.kind === "directory" ? "" : e.stat.size}:${e.target ?? ""}`).join(","),
      );
    case "lstat":
      return described(s.fs.lstat(p(op.path)), (st) => (st.kind === "directory" ? st.kind : `${st.kind} ${st.size}`));
    case "readLink":
      return described(s.fs.readLink(p(op.path)), String);
    case "realPath":
      return described(s.fs.realPath(p(op.path)), String);
  }
};

describe("FileSystem contract: both layers agree", () => {
  it("give the same outcome at every step and the same final tree for random operation sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { maxLength: 25 }), async (ops) => {
        const live = nodeSubject();
        const memory = memorySubject(live.root); // same root string, so absolute targets and realPath agree
        try {
          for (const op of ops) expect([op, await perform(memory, op)]).toEqual([op, await perform(live, op)]);
          expect(memory.tree()).toEqual(live.tree());
        } finally {
          live.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Confinement: nothing outside the root is read, created, written, renamed or removed.

interface Fenced {
  readonly fs: FileSystemService;
  readonly root: string;
  /** A directory next to the root, holding `secret`, that nothing may touch. */
  readonly outside: string;
  readonly tree: () => Tree;
  readonly outsideTree: () => Tree;
  readonly dispose: () => void;
}

const SECRET: Tree = { secret: { kind: "file", content: "secret" } };

const fencedNode = (): Fenced => {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-fence-")));
  const [root, outside] = [path.join(base, "root"), path.join(base, "outside")];
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "secret"), "secret");
  const inner = serviceOf(NodeFileSystemLive);
  return {
    fs: ConfinedPorts.fileSystem(Confine.make(Root.make(root), inner), inner),
    root,
    outside,
    tree: () => treeOfDirectory(root),
    outsideTree: () => treeOfDirectory(outside),
    dispose: () => fs.rmSync(base, { recursive: true, force: true }),
  };
};

const fencedMemory = (base = "/tmp/switchyard-fence-memory"): Fenced => {
  const [root, outside] = [`${base}/root`, `${base}/outside`];
  const memory = makeMemoryFileSystem({ seed: { [root]: { kind: "directory" }, [`${outside}/secret`]: { kind: "file", content: "secret" } } });
  const inner = serviceOf(memory.layer);
  return {
    fs: ConfinedPorts.fileSystem(Confine.make(Root.make(root), inner), inner),
    root,
    outside,
    tree: () => memory.snapshot({ under: root }),
    outsideTree: () => memory.snapshot({ under: outside }),
    dispose: () => {},
  };
};

/** The failure's reason and message, or "ok". */
const failure = (effect: Effect.Effect<unknown, FsError>): Promise<{ reason: string; message: string } | "ok"> =>
  Effect.runPromise(Effect.match(effect, { onFailure: (e) => ({ reason: e.reason, message: e.message }), onSuccess: () => "ok" as const }));

describe.each([
  ["NodeFileSystem", fencedNode],
  ["MemoryFileSystem", () => fencedMemory()],
] as const)("confined to the root: %s", (_name, make) => {
  let s: Fenced;
  const p = (relative: string): string => path.posix.join(s.root, relative);
  beforeEach(() => {
    s = make();
  });
  afterEach(() => {
    // Whatever a test did, the directory outside the root is exactly as it was.
    expect(s.outsideTree()).toEqual(SECRET);
    s.dispose();
  });

  it("a parent directory that is a link out of the root (absolute): nothing is created, written, listed or read through it", async () => {
    await run(s.fs.symlink(s.outside, p("boot")));
    const refusal = `${p("boot")} resolves outside the root (to ${s.outside}); switchyard never follows a link out of its root`;
    expect(await failure(s.fs.writeNewFile(p("boot/grub.cfg"), bytes("menu")))).toEqual({
      reason: "OutsideRoot",
      message: `cannot create ${p("boot/grub.cfg")}: ${refusal}`,
    });
    expect(await failure(s.fs.makeDirectory(p("boot/grub")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.readDirectory(p("boot")))).toMatchObject({ reason: "OutsideRoot", message: `cannot list directory ${p("boot")}: ${refusal}` });
    expect(await failure(s.fs.readFile(p("boot/secret")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.lstat(p("boot/secret")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.remove(p("boot/secret")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.setModifiedTime(p("boot/secret"), T1))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.fsyncDirectory(p("boot")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.realPath(p("boot")))).toMatchObject({ reason: "OutsideRoot" });
    // The link itself is inside the root: it can be looked at and removed, as a link.
    expect(await run(s.fs.lstat(p("boot")))).toMatchObject({ kind: "symlink" });
    expect(await run(s.fs.readLink(p("boot")))).toBe(s.outside);
    await run(s.fs.remove(p("boot")));
    expect(s.tree()).toEqual({});
  });

  it("a link that climbs out with '..', directly or through another link", async () => {
    await run(s.fs.makeDirectory(p("run")));
    await run(s.fs.symlink("../../outside", p("run/state")));
    await run(s.fs.symlink("run/state", p("via")));
    expect(await failure(s.fs.writeNewFile(p("run/state/x"), bytes("")))).toEqual({
      reason: "OutsideRoot",
      message: `cannot create ${p("run/state/x")}: ${p("run/state")} resolves outside the root (to ../../outside); switchyard never follows a link out of its root`,
    });
    expect(await failure(s.fs.readFile(p("via/secret")))).toMatchObject({ reason: "OutsideRoot", message: expect.stringContaining(`${p("run/state")} resolves outside the root`) });
    // Out and back in is out: the walk never leaves the root, even for a moment.
    await run(s.fs.symlink(`../${path.posix.basename(s.root)}/run`, p("back")));
    expect(await failure(s.fs.readDirectory(p("back")))).toMatchObject({ reason: "OutsideRoot" });
  });

  it("a file that is a link out of the root is never read, written or flushed through; replacing it replaces the link", async () => {
    await run(s.fs.symlink(`${s.outside}/secret`, p("grub.cfg")));
    expect(await failure(s.fs.readFile(p("grub.cfg")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.fsync(p("grub.cfg")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.writeNewFile(p("grub.cfg"), bytes("x")))).toMatchObject({ reason: "Exists" });
    await run(s.fs.writeNewFile(p(".grub.cfg.tmp"), bytes("menu")));
    await run(s.fs.rename(p(".grub.cfg.tmp"), p("grub.cfg")));
    expect(s.tree()).toEqual({ "grub.cfg": { kind: "file", content: "menu" } });
  });

  it("nothing is renamed into or out of a directory outside the root", async () => {
    await run(s.fs.symlink(s.outside, p("out")));
    await run(s.fs.writeNewFile(p("f"), bytes("f")));
    expect(await failure(s.fs.rename(p("f"), p("out/f")))).toMatchObject({ reason: "OutsideRoot" });
    expect(await failure(s.fs.rename(p("out/secret"), p("stolen")))).toMatchObject({ reason: "OutsideRoot" });
    expect(Object.keys(s.tree())).toEqual(["f", "out"]);
  });

  it("paths outside the root, or climbing above it, are refused", async () => {
    expect(await failure(s.fs.readFile(`${s.outside}/secret`))).toEqual({
      reason: "OutsideRoot",
      message: `cannot read ${s.outside}/secret: it lies outside the root ${s.root}`,
    });
    expect(await failure(s.fs.remove(`${s.root}/../outside/secret`))).toMatchObject({ reason: "OutsideRoot", message: expect.stringContaining("climbs above the root") });
    expect(await failure(s.fs.writeNewFile(`${s.root}-sibling/x`, bytes("")))).toMatchObject({ reason: "OutsideRoot" });
  });

  it("links that stay inside are followed: absolute (naming a path below the root), relative, chained", async () => {
    await run(s.fs.makeDirectory(p("real/grub")));
    await run(s.fs.symlink(p("real"), p("boot")));
    await run(s.fs.symlink("../real/grub", p("real/up")));
    await run(s.fs.symlink("boot/up", p("chain")));
    await run(s.fs.writeNewFile(p("boot/grub/grub.cfg"), bytes("menu")));
    expect(text(await run(s.fs.readFile(p("chain/grub.cfg"))))).toBe("menu");
    expect(await run(s.fs.realPath(p("chain/grub.cfg")))).toBe(p("real/grub/grub.cfg"));
    expect(await run(s.fs.readDirectory(p("boot")))).toEqual(["grub", "up"]);
  });

  it("a loop of links is Invalid, not a hang", async () => {
    await run(s.fs.symlink("b", p("a")));
    await run(s.fs.symlink("a", p("b")));
    expect(await failure(s.fs.readFile(p("a/x")))).toMatchObject({ reason: "Invalid", message: expect.stringContaining("too many symbolic links") });
  });

  it("a directory the tool itself replaced by a link out is not remembered as the directory it was", async () => {
    await run(s.fs.makeDirectory(p("boot/grub")));
    await run(s.fs.writeNewFile(p("boot/grub/a"), bytes("a")));
    await run(s.fs.rename(p("boot"), p("old-boot")));
    await run(s.fs.symlink(s.outside, p("boot")));
    expect(await failure(s.fs.writeNewFile(p("boot/grub/b"), bytes("b")))).toMatchObject({ reason: "OutsideRoot" });
    await run(s.fs.remove(p("boot")));
    await run(s.fs.symlink(s.outside, p("boot")));
    expect(await failure(s.fs.lstat(p("boot/secret")))).toMatchObject({ reason: "OutsideRoot" });
  });
});

describe("confined to the root: both layers agree", () => {
  const outsideTarget: fc.Arbitrary<Target> = fc.constantFrom("..", "../outside", "../../outside/secret", "a/../..", "../root/a");
  const fencedOp: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: opArbitrary },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("symlink" as const), target: outsideTarget, path: relativePath }) },
  );
  it("removeEach does what one remove after another does, up to the first failure (a run of siblings resolved once)", async () => {
    const path_ = fc.oneof(relativePath, fc.constantFrom("a/.", "a/..", "b/", "a/b/../c"));
    await fc.assert(
      fc.asyncProperty(fc.array(fencedOp, { maxLength: 20 }), fc.array(path_, { maxLength: 6 }), async (ops, paths) => {
        const [batch, oneByOne] = [fencedMemory("/tmp/fence-batch"), fencedMemory("/tmp/fence-batch")];
        for (const op of ops) expect(await perform(batch, op)).toEqual(await perform(oneByOne, op));
        const full = paths.map((r) => path.posix.join(batch.root, r));
        const got = await Effect.runPromise(batch.fs.removeEach(full));
        let removed = 0;
        let reason: string | null = null;
        for (const f of full) {
          const r = await outcome(oneByOne.fs.remove(f));
          if (r !== "ok") {
            reason = r;
            break;
          }
          removed++;
        }
        expect([got.removed, got.failure?.reason ?? null]).toEqual([removed, reason]);
        expect(batch.tree()).toEqual(oneByOne.tree());
        expect(batch.outsideTree()).toEqual(SECRET);
      }),
      { numRuns: 300 },
    );
  });
  it("give the same outcome at every step, the same tree at the end, and never touch the directory outside", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fencedOp, { maxLength: 25 }), async (ops) => {
        const live = fencedNode();
        const memory = fencedMemory(path.dirname(live.root));
        const [l, m] = [{ ...live, tree: () => live.tree(), dispose: () => {} }, { ...memory, tree: () => memory.tree(), dispose: () => {} }];
        try {
          for (const op of ops) expect([op, await perform(m, op)]).toEqual([op, await perform(l, op)]);
          expect(memory.tree()).toEqual(live.tree());
          expect(live.outsideTree()).toEqual(SECRET);
          expect(memory.outsideTree()).toEqual(SECRET);
        } finally {
          live.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });
});

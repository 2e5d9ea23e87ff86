/**
 * A scripted `tar` for the in-memory machines: `--create` writes the tree under `--directory` as
 * one JSON file (contents in base64, so any bytes survive), `--extract` recreates it, both through
 * the in-memory file system's own operations, so an injected fault or a crash can land in the
 * middle of an archive as on a disk.
 * Compression flags are accepted and ignored; `sha256sum` digests a file of the in-memory disk;
 * any other program exits 0.
 */
import { createHash } from "node:crypto";
import { Effect, Exit } from "effect";
import type { MemoryFileSystem, MemoryProcessRunner } from "@switchyard/interpreter/testing";

type Entry = readonly [name: string, kind: "file" | "directory" | "symlink", value: string];

const option = (argv: ReadonlyArray<string>, name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

export const script = (memory: MemoryFileSystem.MemoryFileSystem): MemoryProcessRunner.Script => (request) => {
  if (request.argv[0] === "sha256sum") {
    const target = request.argv[request.argv.length - 1] ?? "";
    const bytes = Effect.runSyncExit(memory.service.readFile(target));
    if (!Exit.isSuccess(bytes)) return { _tag: "Exit", code: 1, lines: [`sha256sum: ${target}: No such file or directory`] };
    return { _tag: "Exit", code: 0, lines: [`${createHash("sha256").update(bytes.value).digest("hex")} *${target}`] };
  }
  if (request.argv[0] !== "tar") return { _tag: "Exit", code: 0 };
  const file = option(request.argv, "file") ?? "";
  const dir = option(request.argv, "directory") ?? "";
  const fs = memory.service;
  const ok = <A, E>(e: Effect.Effect<A, E>) => Exit.isSuccess(Effect.runSyncExit(e));
  if (request.argv.includes("--create")) {
    const tree = memory.snapshot({ under: dir });
    const entries: Array<Entry> = Object.entries(tree).map(([name, e]) =>
      e.kind === "file" ? [name, "file", (typeof e.content === "string" ? Buffer.from(e.content, "utf8") : Buffer.from(e.content)).toString("base64")] : e.kind === "symlink" ? [name, "symlink", e.target] : [name, "directory", ""],
    );
    return ok(fs.writeNewFile(file, new TextEncoder().encode(JSON.stringify(entries)))) ? { _tag: "Exit", code: 0 } : { _tag: "Exit", code: 2, lines: ["tar: write error"] };
  }
  const read = Effect.runSyncExit(fs.readFile(file));
  if (!Exit.isSuccess(read)) return { _tag: "Exit", code: 2, lines: ["tar: cannot open"] };
  const entries = JSON.parse(new TextDecoder().decode(read.value)) as ReadonlyArray<Entry>;
  for (const [name, kind, value] of entries) {
    const at = `${dir}/${name}`;
    const made =
      kind === "directory" ? fs.makeDirectory(at) : kind === "symlink" ? fs.symlink(value, at) : fs.writeNewFile(at, new Uint8Array(Buffer.from(value, "base64")));
    if (!ok(made)) return { _tag: "Exit", code: 2, lines: [`tar: ${name}: cannot create`] };
  }
  return { _tag: "Exit", code: 0 };
};

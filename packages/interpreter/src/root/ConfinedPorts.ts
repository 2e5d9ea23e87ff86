/**
 * The file-system and process ports confined to the root: each operation runs on the path
 * `Confine` resolves, so the live layer and the in-memory twin refuse the same escapes with the
 * same errors. A program below the root (an activation script, a relative service program) is
 * run from where it really is, and its working directory and log file likewise; a program found
 * on PATH or named outside the root (a host tool, `/bin/sleep` with `--root`) is the user's choice
 * and runs as named. After any program ran, what `Confine` remembered is forgotten.
 */
import { posix } from "node:path";
import { Context, Effect, Layer } from "effect";
import * as Confine from "./Confine.js";
import { FileSystem, type FileSystemService, type FsError } from "../ports/FileSystem.js";
import type * as FsErrors from "../ports/FsErrors.js";
import { ProcessError, ProcessRunner, type ProcessRunnerService } from "../ports/ProcessRunner.js";
import * as Root from "./Root.js";

/** A path's directory as spelled, and its last name when that is a plain one. */
const siblingOf = (path: string): readonly [string, string | null] => {
  const cut = path.lastIndexOf("/");
  const name = path.slice(cut + 1);
  return [path.slice(0, Math.max(cut, 0)), cut < 0 || name === "" || name === "." || name === ".." ? null : name];
};

export const fileSystem = (c: Confine.Confinement, inner: FileSystemService): FileSystemService => {
  const at =
    <A>(op: FsErrors.FsOp, followLast: boolean, f: (real: string) => Effect.Effect<A, FsError>) =>
    (path: string): Effect.Effect<A, FsError> =>
      Effect.flatMap(c.resolve(path, followLast, op), f);
  /** A change to what is at `real`: a directory or link remembered there is forgotten. */
  const changing = <A>(effect: Effect.Effect<A, FsError>, ...reals: ReadonlyArray<string>) =>
    Effect.ensuring(effect, Effect.sync(() => reals.forEach(c.changed)));
  return {
    readFile: at("readFile", true, inner.readFile),
    readDirectory: at("readDirectory", true, inner.readDirectory),
    lstat: at("lstat", false, inner.lstat),
    readLink: at("readLink", false, inner.readLink),
    // The entries are the resolved directory's own children, so their lstat and link targets are read where they really are.
    readEntries: (path, wantTarget) => at("readDirectory", true, (real) => inner.readEntries(real, wantTarget))(path),
    // Each path is resolved as `lstat` resolves it; one that leads out of the root is that path's
    // error. The common case needs no lookup (`Confine.known`), so it costs no Effect of its own.
    lstatEach: (paths, plainParents) =>
      Effect.gen(function* () {
        const resolved: Array<string | FsError> = new Array(paths.length);
        for (let i = 0; i < paths.length; i++) {
          const path = paths[i] as string;
          const quick = c.known(path, plainParents?.[i] === true);
          if (quick !== null) resolved[i] = quick;
          else {
            const r = yield* Effect.either(c.resolve(path, false, "lstat"));
            resolved[i] = r._tag === "Right" ? r.right : r.left;
          }
        }
        const reals = resolved.filter((r): r is string => typeof r === "string");
        const stats = yield* inner.lstatEach(reals);
        let k = 0;
        return resolved.map((r) => (typeof r === "string" ? (stats[k++] as (typeof stats)[number]) : r));
      }),
    realPath: at("realPath", true, inner.realPath),
    writeNewFile: (path, data, mode) => at("writeNewFile", false, (real) => inner.writeNewFile(real, data, mode))(path),
    fsync: at("fsync", true, inner.fsync),
    fsyncDirectory: at("fsyncDirectory", true, inner.fsyncDirectory),
    rename: (from, to) =>
      Effect.flatMap(Effect.all([c.resolve(from, false, "rename"), c.resolve(to, false, "rename")]), ([a, b]) => changing(inner.rename(a, b), a, b)),
    symlink: (target, path) => at("symlink", false, (real) => inner.symlink(target, real))(path),
    // A run of siblings is resolved once, by its first path: removing one of them changes no
    // other's way there (none of them is above another). Each path removed is then forgotten as
    // `remove` forgets it, and the next run resolved afresh.
    removeEach: (paths, events) =>
      Effect.gen(function* () {
        let done = 0;
        while (done < paths.length) {
          const first = paths[done] as string;
          const resolved = yield* Effect.either(c.resolve(first, false, "remove"));
          if (resolved._tag === "Left") {
            events?.before?.(done);
            return { removed: done, failure: resolved.left };
          }
          const real = resolved.right;
          const reals = [real];
          const [parent, name] = siblingOf(first);
          const realParent = name === null || !real.endsWith(`/${name}`) ? null : real.slice(0, real.length - name.length - 1);
          for (let i = done + 1; realParent !== null && realParent !== "" && i < paths.length; i++) {
            const [p, n] = siblingOf(paths[i] as string);
            if (p !== parent || n === null) break;
            reals.push(`${realParent === "/" ? "" : realParent}/${n}`);
          }
          const from = done;
          const run = yield* inner.removeEach(reals, {
            before: (i) => events?.before?.(from + i),
            after: (i) => {
              c.changed(reals[i] as string);
              events?.after?.(from + i);
            },
          });
          done += run.removed;
          if (run.failure !== null) {
            c.changed(reals[run.removed] as string);
            return { removed: done, failure: run.failure };
          }
        }
        return { removed: done, failure: null };
      }),
    remove: at("remove", false, (real) => changing(inner.remove(real), real)),
    makeDirectory: at("makeDirectory", true, inner.makeDirectory),
    removeDirectory: at("removeDirectory", false, (real) => changing(inner.removeDirectory(real), real)),
    setModifiedTime: (path, mtimeMs) => at("setModifiedTime", false, (real) => inner.setModifiedTime(real, mtimeMs))(path),
  };
};

/** `path` (absolute, or relative to `cwd`) where it really is when it lies below the root; as given otherwise. */
const located = (c: Confine.Confinement, path: string, cwd: string) => {
  const absolute = path.startsWith("/") ? path : posix.resolve(cwd, path);
  return Root.inside(c.root, posix.normalize(absolute)) === null ? Effect.succeed(path) : c.resolve(absolute, true, "realPath");
};

/** A program (or its directory, or its log) that leads out of the root is never started. */
const refused = (argv: ReadonlyArray<string>) => (e: FsError) => new ProcessError({ reason: "SpawnFailed", argv, message: `${e.message}; it was not run` });

export const processRunner = (c: Confine.Confinement, inner: ProcessRunnerService): ProcessRunnerService => {
  /** argv[0] when it names a file (a bare name is looked up in PATH), and the working directory. */
  const place = (argv: ReadonlyArray<string>, cwd: string) =>
    Effect.gen(function* () {
      const [program, ...args] = argv;
      const realCwd = yield* located(c, cwd, "/");
      if (program === undefined || !program.includes("/")) return { argv, cwd: realCwd };
      return { argv: [yield* located(c, program, cwd), ...args], cwd: realCwd };
    }).pipe(Effect.mapError(refused(argv)));
  const afterwards = Effect.sync(c.forgetAll);
  return {
    ...inner,
    run: (request) =>
      Effect.flatMap(place(request.argv, request.cwd), (placed) => inner.run({ ...request, ...placed }).pipe(Effect.ensuring(afterwards))),
    startDetached: (request) =>
      Effect.gen(function* () {
        const placed = yield* place(request.argv, request.cwd);
        const logFile = yield* located(c, request.logFile, request.cwd).pipe(Effect.mapError(refused(request.argv)));
        return yield* inner.startDetached({ ...request, ...placed, logFile }).pipe(Effect.ensuring(afterwards));
      }),
  };
};

/** `fs` and `runner` confined to `root`, sharing one `Confine` (what it resolved, it remembers). */
export const context = (root: Root.Root, fs: FileSystemService, runner: ProcessRunnerService): Context.Context<FileSystem | ProcessRunner> => {
  const c = Confine.make(root, fs);
  return Context.make(FileSystem, fileSystem(c, fs)).pipe(Context.add(ProcessRunner, processRunner(c, runner)));
};

/** The file system and the process runner of the context, confined to `root`; one `Confine` per build. */
export const layer = (root: Root.Root): Layer.Layer<FileSystem | ProcessRunner, never, FileSystem | ProcessRunner> =>
  Layer.effectContext(Effect.map(Effect.all([FileSystem, ProcessRunner]), ([fs, runner]) => context(root, fs, runner)));

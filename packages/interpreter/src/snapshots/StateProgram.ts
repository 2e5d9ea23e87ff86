/**
 * A service's dump or load program: its argv resolved against the system directory (a relative
 * program with a slash lives there; a bare name is looked up on PATH), run as the record's user and
 * group (s6-setuidgid, or setpriv when a group is named), in its own process group with a timeout,
 * with SWITCHYARD_STATE_DIR naming the directory it writes to or reads from.
 */
import type { Step } from "@switchyard/model";
import { Effect } from "effect";
import { ProcessError, ProcessRunner } from "../ports/ProcessRunner.js";
import * as Root from "../root/Root.js";
import { dirnameOf } from "../root/Root.js";
import { SnapshotError } from "./SnapshotError.js";
import * as Tools from "./Tools.js";

/** The argv prefix that runs a program as the record's account (nothing: as switchyard runs). */
export const asAccount = (user: string | null, group: string | null): ReadonlyArray<string> =>
  user === null ? [] : group === null ? ["s6-setuidgid", user] : ["setpriv", `--reuid=${user}`, `--regid=${group}`, "--clear-groups", "--"];

/**
 * Give `dir` to the record's account, so its dump program may write there (`recursive`: and its
 * load program read everything a snapshot unpacked there): owned by the account, mode 0700, so no
 * other account reads a database's dump. The snapshots directory above it is made 0711: the
 * account may pass through to its own directory but not list the store.
 */
export const handOver = (id: string, dir: string, user: string | null, group: string | null, recursive = false) =>
  user === null
    ? Effect.void
    : Effect.gen(function* () {
        const owner = group === null ? user : `${user}:${group}`;
        yield* Tools.must(id, ["chmod", "0711", dirnameOf(dir)], dir, `letting ${user} through ${dirnameOf(dir)}`);
        yield* Tools.must(id, ["chown", ...(recursive ? ["-R"] : []), owner, dir], dir, `giving ${dir} to ${user}`);
        yield* Tools.must(id, ["chmod", "0700", dir], dir, `keeping ${dir} to ${user}`);
      });

export interface ProgramRun {
  readonly root: Root.Root;
  readonly ref: Step.ServiceRef;
  readonly argv: ReadonlyArray<string>;
  readonly what: "dump" | "load";
  /** Host path given in SWITCHYARD_STATE_DIR. */
  readonly stateDir: string;
  readonly timeoutMs: number;
  readonly onLine?: (line: string) => void;
}

export const run = (r: ProgramRun) =>
  Effect.gen(function* () {
    const runner = yield* ProcessRunner;
    const system = Root.host(r.root, r.ref.system);
    const [program = "", ...args] = r.argv;
    const located = program.includes("/") && !program.startsWith("/") ? `${system}/${program}` : program;
    const argv = [...asAccount(r.ref.record.user, r.ref.record.group), located, ...args];
    const name = r.ref.record.name;
    const result = yield* runner
      .run({
        argv,
        env: { SWITCHYARD_STATE_DIR: r.stateDir, SWITCHYARD_SERVICE: name, SWITCHYARD_ROOT: r.root.prefix === "" ? "/" : r.root.prefix },
        cwd: system,
        timeoutMs: r.timeoutMs,
        ...(r.onLine === undefined ? {} : { onLine: r.onLine }),
      })
      .pipe(Effect.mapError((e) => new SnapshotError({ reason: "Tool", id: "", message: `${name}'s ${r.what} program: ${e.message}` })));
    if (result.exitCode === 0 && !result.timedOut) return;
    const how = result.timedOut ? `timed out after ${r.timeoutMs / 1000}s` : result.exitCode === null ? `was killed by ${result.signal ?? "a signal"}` : `exited with status ${result.exitCode}`;
    return yield* Effect.fail({
      cause: new ProcessError({ reason: result.timedOut ? "TimedOut" : "Failed", argv, message: `${name}'s ${r.what} program ${how}` }),
      message: `${name}'s ${r.what} program ${how}`,
      lastLines: result.lastLines,
    });
  });

/**
 * The moves of one s6 service directory between states, each waited for and bounded by the
 * service timeout: picked up by s6-svscan, brought up (and still up, same pid, after the settle
 * time: a service that exits at once has FAILED even though s6 saw it "up"), brought down, and
 * retired (its s6-supervise told to exit and the directory removed). Failures carry the service's
 * last output lines, read back from its log.
 */
import type { Config } from "@switchyard/model";
import { Duration, Effect } from "effect";
import { ServiceError } from "../../ports/ServiceManager.js";
import * as Dir from "./S6ServiceDirectory.js";
import * as S6Tools from "./S6Tools.js";

export interface Scan {
  /** The scan directory on the host. */
  readonly scan: string;
  readonly settings: Config.ServiceSettings;
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

const failure = (name: string, dir: string, reason: "Failed" | "Timeout", message: string) =>
  Effect.flatMap(Dir.lastLines(dir), (lastLines) => Effect.fail(new ServiceError({ reason, service: name, message, lastLines })));

/** How the last run ended, when s6 knows. */
const ended = (st: { readonly exitCode: number | null; readonly signal: string | null } | null): string =>
  st === null ? "" : st.exitCode !== null ? ` (exit status ${st.exitCode})` : st.signal !== null ? ` (killed by ${st.signal})` : "";

/**
 * Wait until an s6-supervise runs for `dir` and has written its status, asking s6-svscan to scan
 * if none runs yet. The status matters: `s6-svc -wu` gives up at once when it cannot read it, and a
 * fresh s6-supervise answers `s6-svok` a moment before it has written it.
 */
export const supervise = (s: Scan, name: string, dir: string) =>
  Effect.gen(function* () {
    const ready = Effect.map(S6Tools.status(name, dir), (st) => st !== null);
    if (yield* ready) return;
    if (!(yield* S6Tools.supervised(dir))) yield* S6Tools.rescan(name, s.scan);
    if (!(yield* S6Tools.waitUntil(ready, s.settings.serviceTimeoutMs))) {
      return yield* failure(name, dir, "Timeout", `s6-svscan did not pick up service ${name} within ${seconds(s.settings.serviceTimeoutMs)}`);
    }
  });

/** `s6-svc -wu -u` (or `-wr -r` for a running service), then the settle check. */
export const bringUp = (s: Scan, name: string, dir: string, how: "up" | "restart") =>
  Effect.gen(function* () {
    const timeout = s.settings.serviceTimeoutMs;
    const inTime = yield* S6Tools.command(name, how === "restart" ? ["-wr", "-r"] : ["-wu", "-u"], dir, timeout);
    const first = yield* S6Tools.status(name, dir);
    if (first === null || !first.up) {
      return yield* inTime
        ? failure(name, dir, "Failed", `service ${name} exited right after starting${ended(first)}`)
        : failure(name, dir, "Timeout", `service ${name} did not come up within ${seconds(timeout)}${ended(first)}`);
    }
    yield* Effect.sleep(Duration.millis(s.settings.settleMs));
    const second = yield* S6Tools.status(name, dir);
    if (second === null || !second.up || second.pid !== first.pid) {
      return yield* failure(name, dir, "Failed", `service ${name} did not stay up: it exited within ${s.settings.settleMs} ms of starting${ended(second)}`);
    }
  });

/** `s6-svc -wD -d`; a service that ignores its down signal is killed (`-k`) before giving up. */
export const bringDown = (s: Scan, name: string, dir: string) =>
  Effect.gen(function* () {
    if (yield* S6Tools.command(name, ["-wD", "-d"], dir, s.settings.serviceTimeoutMs)) return;
    yield* S6Tools.command(name, ["-k"], dir, 1000);
    if (yield* S6Tools.command(name, ["-wD"], dir, 1000)) return;
    const st = yield* S6Tools.status(name, dir);
    if (st !== null && st.up) return yield* failure(name, dir, "Timeout", `service ${name} did not stop within ${seconds(s.settings.serviceTimeoutMs)}`);
  });

/**
 * Tell the directory's s6-supervise to exit, wait until it has, then remove the directory durably.
 * `hidden` is already a dot name, so s6-svscan will not start a new supervisor for it meanwhile.
 */
export const retire = (s: Scan, name: string, hidden: string) =>
  Effect.gen(function* () {
    yield* S6Tools.command(name, ["-x"], hidden, 1000);
    if (!(yield* S6Tools.waitUntil(Effect.map(S6Tools.supervised(hidden), (up) => !up), s.settings.serviceTimeoutMs))) {
      return yield* failure(name, hidden, "Timeout", `the s6-supervise of service ${name} did not exit within ${seconds(s.settings.serviceTimeoutMs)}`);
    }
    yield* Dir.remove(hidden).pipe(
      Effect.mapError((e) => new ServiceError({ reason: "Failed", service: name, message: `cannot remove ${hidden}: ${e.message}`, lastLines: [] })),
    );
  });

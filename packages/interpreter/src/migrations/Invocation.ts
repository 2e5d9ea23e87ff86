/**
 * How one migration is run: its program from the target's system directory (a relative program
 * with a slash is inside it), in that directory, with the transition in its environment, as its
 * `user` when it names one (looked up in the root's `/etc/passwd`), for at most its timeout.
 */
import { type Item, type MigrationRecord, S6Service } from "@switchyard/model";
import { Effect } from "effect";
import { FileSystem } from "../ports/FileSystem.js";
import type { RunRequest } from "../ports/ProcessRunner.js";
import * as Root from "../root/Root.js";

/** A migration without a timeout of its own may run this long. */
export const DEFAULT_TIMEOUT_SECONDS = 3600;

export type Direction = "upgrade" | "rollback" | "same";

/** As hooks are told: from nothing is an upgrade. */
export const direction = (from: number | null, to: number | null): Direction =>
  from === to ? "same" : from === null || (to !== null && to > from) ? "upgrade" : "rollback";

/** What a migration is told: the names hooks and checks are told (the epochs as they are when the graph runs), and its own id. */
export const environment = (root: Root.Root, record: MigrationRecord.GraphRecord, m: Item.Migration, epochs: string): Record<string, string> => ({
  SWITCHYARD_FROM: record.from === null ? "" : String(record.from),
  SWITCHYARD_TO: record.to === null ? "" : String(record.to),
  SWITCHYARD_DIRECTION: direction(record.from, record.to),
  SWITCHYARD_MODE: record.mode,
  SWITCHYARD_FROM_SYSTEM: record.fromSystem ?? "",
  SWITCHYARD_TO_SYSTEM: record.toSystem ?? "",
  SWITCHYARD_ROOT: root.prefix === "" ? "/" : root.prefix,
  SWITCHYARD_MIGRATION: m.id,
  SWITCHYARD_EPOCHS: epochs,
});

/** The uid and gid of `name` in the root's /etc/passwd; a message when there is none. */
const lookUp = (root: Root.Root, name: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem;
    const file = Root.host(root, "/etc/passwd");
    const text = yield* fs.readFile(file).pipe(
      Effect.map((b) => new TextDecoder().decode(b)),
      Effect.mapError((e) => `cannot read ${file} to find user '${name}': ${e.message}`),
    );
    for (const line of text.split("\n")) {
      const [user, , uid, gid] = line.split(":");
      if (user === name && uid !== undefined && gid !== undefined && /^[0-9]+$/.test(uid) && /^[0-9]+$/.test(gid)) return { uid: Number(uid), gid: Number(gid) };
    }
    return yield* Effect.fail(`user '${name}' is not in ${file}`);
  });

/** The request, or why it cannot be made (its user does not exist). */
export const request = (root: Root.Root, record: MigrationRecord.GraphRecord, m: Item.Migration, onLine: (line: string) => void, epochs: string) =>
  Effect.gen(function* () {
    const system = record.toSystem ?? record.fromSystem;
    const hostSystem = system === null ? Root.host(root, "/") : Root.host(root, system);
    const user = m.user === undefined ? {} : { user: yield* lookUp(root, m.user) };
    return {
      argv: S6Service.commandArgv(m.run, hostSystem),
      env: environment(root, record, m, epochs),
      cwd: hostSystem,
      timeoutMs: (m.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      onLine,
      ...user,
    } satisfies RunRequest;
  });

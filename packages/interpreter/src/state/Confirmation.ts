/**
 * The pending confirmation (`model/transition/Confirmation`): `/var/lib/switchyard/confirmation.json`
 * holds a provisional switch's deadline, the plan that reverts it and the watcher waiting for it.
 * Written atomically and durably before the switch's journal is removed, so a crash never turns a
 * provisional switch into a permanent one; removed durably by `confirm` or once reverted.
 */
import { Confirmation, World } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import { JournalUnreadable } from "../Errors.js";
import * as Decode from "../internal/Decode.js";
import { ProcessRunner } from "../ports/ProcessRunner.js";
import * as Root from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

export type Pending = Confirmation.Pending;

export const path = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/${Confirmation.FILE_NAME}`);
/** Where the watcher's own output goes: it outlives the terminal that started it. */
export const logPath = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/confirmation.log`);

const encoder = new TextEncoder();

/** The pending confirmation, or null when none waits. */
export const read = (root: Root.Root) =>
  Effect.gen(function* () {
    const file = path(root);
    const bytes = yield* Absent.readFile(file, (e) => new JournalUnreadable({ message: `cannot read ${file}: ${e.message}` }));
    if (bytes === null) return null;
    return yield* Decode.bytes(Confirmation.Pending, bytes, file, (f) => new JournalUnreadable({ message: `${Decode.describe(f)}; remove it with 'switchyard confirm' to keep the switch` }));
  });

export const write = (root: Root.Root, pending: Pending) => Durable.writeFile(path(root), encoder.encode(`${JSON.stringify(Confirmation.Pending.encode(pending))}\n`));

export const remove = (root: Root.Root) => Durable.removeLink(path(root));

/** Whether the watcher the record names is alive (in this boot). */
export const watcherAlive = (pending: Pending) =>
  Effect.flatMap(ProcessRunner, (proc) =>
    pending.watcher === null || pending.watcher.bootId !== proc.bootId ? Effect.succeed(false) : proc.isAlive(pending.watcher.pid),
  );

/** "generation 3 waits for 'switchyard confirm' until 2026-12-01T18:40:00.000Z (otherwise generation 2 comes back)". */
export const describe = (pending: Pending): string =>
  `generation ${pending.to} waits for 'switchyard confirm' until ${new Date(pending.deadlineMs).toISOString()}; otherwise generation ${pending.from ?? "(none)"} comes back`;

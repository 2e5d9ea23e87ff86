/**
 * What a generation's manifest declares for the checks run before a switch to it: its own check
 * programs, the users and groups it assigns, and the running kernel it needs. The built-in checks
 * (`Builtin`) read the last two; `RunChecks` in the interpreter runs the first.
 */
import * as t from "io-ts";
import { strict, strictPartial } from "../internal/Strict.js";
import { Program } from "../services/ServiceRecord.js";
import { Id } from "./Item.js";

const NAME = /^[a-z_][a-z0-9_.-]*\$?$/i;

/** A user or group name as /etc/passwd and /etc/group hold them: no colon, no blank, no newline. */
const AccountName = new t.Type<string, string, unknown>(
  "account name",
  (u): u is string => typeof u === "string" && NAME.test(u),
  (u, c) => (typeof u === "string" && NAME.test(u) ? t.success(u) : t.failure(u, c, "expected a user or group name (letters, digits, _ . -)")),
  (a) => a,
);

const NumericId = new t.Type<number, number, unknown>(
  "numeric id",
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= 4_294_967_294,
  (u, c) => (typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= 4_294_967_294 ? t.success(u) : t.failure(u, c, "expected a whole number from 0 to 4294967294")),
  (a) => a,
);

/** "6.1", "5.15.3": the lowest kernel release the generation runs on. */
const KernelVersion = new t.Type<string, string, unknown>(
  "kernel version",
  (u): u is string => typeof u === "string" && /^[0-9]+(\.[0-9]+){0,3}$/.test(u),
  (u, c) => (typeof u === "string" && /^[0-9]+(\.[0-9]+){0,3}$/.test(u) ? t.success(u) : t.failure(u, c, "expected a kernel version such as \"6.1\" or \"5.15.3\"")),
  (a) => a,
);

const CheckTimeout = new t.Type<number, number, unknown>(
  "timeout",
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 3600,
  (u, c) => (typeof u === "number" && Number.isInteger(u) && u >= 1 && u <= 3600 ? t.success(u) : t.failure(u, c, "expected whole seconds from 1 to 3600")),
  (a) => a,
);

/** A check program: argv relative to the system directory, printing one report (`Item.Report`). */
export const Check = strictPartial({ name: Id, run: Program }, { timeout: CheckTimeout }, "check");
export type Check = t.TypeOf<typeof Check>;

/** How long a check may run when its declaration says nothing. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

export const User = strict({ name: AccountName, uid: NumericId, group: AccountName, gid: NumericId }, "user");
export type User = t.TypeOf<typeof User>;

export const Requires = strictPartial({}, { kernel: KernelVersion }, "requires");
export type Requires = t.TypeOf<typeof Requires>;

/**
 * The checks switchyard makes itself, from what the interpreter observed: the users and groups the
 * target assigns against the root's /etc/passwd and /etc/group, the kernel the target requires
 * against the running one (a switch or test runs it on that kernel; a boot brings its own), and
 * whether the new boot entry differs from what is running, so only a reboot uses it.
 */
import type { Manifest } from "../world/Manifest.js";
import type * as Checks from "./Checks.js";
import type * as Declaration from "./Declaration.js";
import type { Item } from "./Item.js";

/** One line of /etc/passwd or /etc/group that matters here: a name and its number. */
export interface Account {
  readonly name: string;
  readonly id: number;
}

/** The name and number fields (first and third) of each well-formed line; comments and junk are skipped. */
export const accounts = (text: string): ReadonlyArray<Account> =>
  text.split("\n").flatMap((line) => {
    const [name, , id] = line.split(":");
    return name !== undefined && name !== "" && !name.startsWith("#") && id !== undefined && /^[0-9]+$/.test(id) ? [{ name, id: Number(id) }] : [];
  });

/** What the interpreter read for the built-in checks; a file that is absent reads as "". */
export interface Observed {
  readonly passwd: string;
  readonly group: string;
  /** `uname -r` of the running kernel. */
  readonly kernelRelease: string;
}

const contradiction = (kind: "user" | "group", name: string, id: number, table: ReadonlyArray<Account>, file: string): Item | null => {
  const idWord = kind === "user" ? "uid" : "gid";
  const byName = table.find((a) => a.name === name);
  if (byName !== undefined && byName.id !== id) {
    return { id: `${kind}s:${name}`, severity: "error", message: `the target gives ${kind} '${name}' ${idWord} ${id}, but ${file} gives it ${idWord} ${byName.id}; files it owns would change hands`, resolutions: [] };
  }
  const byId = table.find((a) => a.id === id && a.name !== name);
  if (byId !== undefined) {
    return { id: `${kind}s:${name}`, severity: "error", message: `the target gives ${idWord} ${id} to ${kind} '${name}', but ${file} gives it to '${byId.name}'; its files would change hands`, resolutions: [] };
  }
  return null;
};

/** A uid or gid the target assigns that /etc/passwd or /etc/group assigns otherwise (one item per name). */
export const users = (declared: ReadonlyArray<Declaration.User>, observed: Pick<Observed, "passwd" | "group">): ReadonlyArray<Item> => {
  const passwd = accounts(observed.passwd);
  const group = accounts(observed.group);
  const items = new Map<string, Item>();
  for (const u of declared) {
    const user = contradiction("user", u.name, u.uid, passwd, "/etc/passwd");
    if (user !== null && !items.has(user.id)) items.set(user.id, user);
    const g = contradiction("group", u.group, u.gid, group, "/etc/group");
    if (g !== null && !items.has(g.id)) items.set(g.id, g);
  }
  return [...items.values()];
};

/** The leading numbers of a release ("6.8.0-49-generic" → [6, 8, 0]). */
const numbers = (release: string): ReadonlyArray<number> => (/^[0-9]+(\.[0-9]+)*/.exec(release)?.[0] ?? "").split(".").filter((p) => p !== "").map(Number);

/** Whether `release` is at least `minimum`, comparing component by component (missing ones are 0). */
export const atLeast = (release: string, minimum: string): boolean => {
  const have = numbers(release);
  const want = numbers(minimum);
  for (let i = 0; i < Math.max(have.length, want.length); i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
};

/** Only a switch or a test runs the target on the kernel that runs now. */
export const kernel = (requires: Declaration.Requires | undefined, mode: Checks.Context["mode"], release: string): ReadonlyArray<Item> => {
  const minimum = requires?.kernel;
  if (minimum === undefined || (mode !== "switch" && mode !== "test") || atLeast(release, minimum)) return [];
  return [
    {
      id: "kernel",
      severity: "error",
      message: `the target requires kernel ${minimum} or newer to run, but kernel ${release} is running; switch with --mode boot and reboot into it instead`,
      resolutions: [],
    },
  ];
};

/** What of the boot entry differs between the running system and the target, in words. */
const bootChanges = (running: Manifest["boot"], target: Manifest["boot"]): ReadonlyArray<string> => [
  ...(running.kernel === target.kernel ? [] : ["kernel"]),
  ...(running.initrd === target.initrd ? [] : ["initrd"]),
  ...(running.params.join("\u0000") === target.params.join("\u0000") ? [] : ["boot parameters"]),
];

/** A switch or test leaves the running kernel in place: a changed kernel, initrd or parameters take a reboot. */
export const reboot = (running: Manifest | null, target: Manifest, mode: Checks.Context["mode"]): ReadonlyArray<Item> => {
  if (running === null || (mode !== "switch" && mode !== "test")) return [];
  const changed = bootChanges(running.boot, target.boot);
  if (changed.length === 0) return [];
  const what = changed.length === 1 ? changed.join("") : `${changed.slice(0, -1).join(", ")} and ${changed.at(-1) ?? ""}`;
  const one = changed.length === 1 && changed[0] !== "boot parameters";
  return [{ id: "reboot", severity: "recommendation", message: `the target's ${what} ${one ? "differs" : "differ"} from the running system's; reboot to use ${one ? "it" : "them"}`, resolutions: [] }];
};

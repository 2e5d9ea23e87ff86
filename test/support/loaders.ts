/**
 * The bootloaders' side of a boot, for tests: what systemd-boot and GRUB do with the files
 * switchyard wrote, written from their documented behaviour rather than from switchyard's code.
 * - systemd-boot (252, as `bootctl list` orders entries): Type #1 entries sorted with no-tries-left
 *   entries last, then by sort-key, then version and id descending; `default` from loader.conf is a
 *   glob matched against ids (file names without the counter), first match wins, else the first
 *   entry; a counted entry is renamed `+LEFT-DONE` → `+(LEFT-1)-(DONE+1)` before it boots.
 * - GRUB: the generated grub.cfg is interpreted, line by line, for the subset of GRUB script it uses
 *   (if/elif/fi, set, `[ … ]` with -s -n = != -a, load_env, save_env, menuentry/submenu ids), so
 *   the very script that boots the machine decides, reading and saving grubenv as GRUB would.
 * Both check that the chosen entry's kernel (and initrd) exist, as a loader that must load them.
 */
export interface Disk {
  readonly read: (path: string) => string | null;
  readonly exists: (path: string) => boolean;
  readonly list: (dir: string) => ReadonlyArray<string>;
  /** Durable, as the loader's own rename. */
  readonly rename: (from: string, to: string) => void;
  readonly readEnv: (path: string) => ReadonlyArray<readonly [string, string]> | null;
  readonly saveEnv: (path: string, vars: ReadonlyArray<readonly [string, string]>) => void;
}

export interface Booted {
  /** The generation the chosen entry boots (from its `switchyard.system=` parameter's entry id). */
  readonly generation: number;
  readonly system: string;
  /** Why it booted, for failure messages. */
  readonly how: string;
}

// ---------------------------------------------------------------------------------------------
// systemd-boot

interface SdEntry {
  readonly file: string;
  readonly id: string;
  readonly left: number | null;
  readonly done: number;
  readonly fields: ReadonlyMap<string, string>;
}

const COUNTED = /^(.*?)(?:\+([0-9]+)(?:-([0-9]+))?)?(\.conf)$/;

/** systemd's strverscmp_improved, for the strings we write: digit runs compare as numbers. */
export const versionCompare = (a: string, b: string): number => {
  const pa = a.match(/[0-9]+|[^0-9]+/g) ?? [];
  const pb = b.match(/[0-9]+|[^0-9]+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^[0-9]/.test(x) && /^[0-9]/.test(y);
    const c = nx ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return Math.sign(c);
  }
  return 0;
};

const glob = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");

export const sdEntries = (disk: Disk, esp: string): ReadonlyArray<SdEntry> => {
  const dir = `${esp}/loader/entries`;
  const entries: Array<SdEntry> = [];
  for (const file of disk.list(dir)) {
    if (file.startsWith(".") || !file.endsWith(".conf")) continue;
    const m = COUNTED.exec(file) as RegExpExecArray;
    const text = disk.read(`${dir}/${file}`) ?? "";
    const fields = new Map<string, string>();
    for (const line of text.split("\n")) {
      const f = /^([a-z-]+)[ \t]+(.*)$/.exec(line);
      if (f !== null && !fields.has(f[1] as string)) fields.set(f[1] as string, (f[2] as string).trim());
    }
    entries.push({ file, id: `${m[1]}${m[4]}`, left: m[2] === undefined ? null : Number(m[2]), done: Number(m[3] ?? "0"), fields });
  }
  return entries.sort((a, b) => {
    const bad = Number(a.left === 0) - Number(b.left === 0);
    if (bad !== 0) return bad;
    const ka = a.fields.get("sort-key");
    const kb = b.fields.get("sort-key");
    if (ka !== undefined && kb !== undefined) {
      if (ka !== kb) return ka < kb ? -1 : 1;
      const v = -versionCompare(a.fields.get("version") ?? "", b.fields.get("version") ?? "");
      if (v !== 0) return v;
    } else if ((ka === undefined) !== (kb === undefined)) return ka === undefined ? 1 : -1;
    return -versionCompare(a.id, b.id);
  });
};

/** The entry systemd-boot picks as its default (null with no entries). */
export const sdDefault = (disk: Disk, esp: string): SdEntry | null => {
  const entries = sdEntries(disk, esp);
  const conf = disk.read(`${esp}/loader/loader.conf`) ?? "";
  let pattern: string | null = null;
  for (const line of conf.split("\n")) {
    const m = /^default[ \t]+(.*)$/.exec(line.trim());
    if (m !== null) pattern = (m[1] as string).trim();
  }
  const chosen = pattern === null ? undefined : entries.find((e) => glob(pattern as string).test(e.id));
  return chosen ?? entries[0] ?? null;
};

/** One boot through systemd-boot: pick the default, spend one try if it counts them, check its files. */
export const bootSystemd = (disk: Disk, esp: string): Booted => {
  const entry = sdDefault(disk, esp);
  if (entry === null) throw new Error(`systemd-boot: no boot entries in ${esp}/loader/entries`);
  if (entry.left !== null) {
    const next = `${entry.id.slice(0, -".conf".length)}+${Math.max(0, entry.left - 1)}-${entry.done + 1}.conf`;
    disk.rename(`${esp}/loader/entries/${entry.file}`, `${esp}/loader/entries/${next}`);
  }
  return bootedBy(disk, esp, numberIn(entry.id), entry.fields.get("linux"), entry.fields.get("initrd"), entry.fields.get("options") ?? "", `systemd-boot entry ${entry.file}`);
};

/** The generation of an entry id (`switchyard-7.conf`, `switchyard-7`). */
const numberIn = (id: string): number => {
  const m = /^switchyard-([0-9]+)(?:\.conf)?$/.exec(id);
  if (m === null) throw new Error(`not a switchyard entry: ${id}`);
  return Number(m[1]);
};

const bootedBy = (disk: Disk, base: string, generation: number, linux: string | undefined, initrd: string | undefined, options: string, how: string): Booted => {
  if (linux === undefined || !disk.exists(`${base}${linux}`)) throw new Error(`${how}: its kernel ${linux ?? "(none)"} is missing`);
  if (initrd !== undefined && !disk.exists(`${base}${initrd}`)) throw new Error(`${how}: its initrd ${initrd} is missing`);
  const system = /(?:^|\s)switchyard\.system=(\S+)/.exec(options)?.[1];
  if (system === undefined) throw new Error(`${how}: no switchyard.system= parameter in '${options}'`);
  return { generation, system, how };
};

// ---------------------------------------------------------------------------------------------
// GRUB

interface GrubMenuEntry {
  readonly id: string;
  readonly path: string;
  readonly linux: string;
  readonly initrd: string | undefined;
}

/** Words of one GRUB command line, with `${var}` expanded (outside single quotes) and quotes removed. */
const words = (line: string, vars: ReadonlyMap<string, string>): Array<string> => {
  const out: Array<string> = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let word = "";
    while (i < line.length && line[i] !== " " && line[i] !== "\t") {
      const c = line[i] as string;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        const end = line.indexOf('"', i + 1);
        word += expand(line.slice(i + 1, end), vars);
        i = end + 1;
      } else if (c === "\\") {
        word += line[i + 1] ?? "";
        i += 2;
      } else if (c === "$") {
        const m = /^\$\{([A-Za-z_0-9]+)\}/.exec(line.slice(i)) as RegExpExecArray;
        word += vars.get(m[1] as string) ?? "";
        i += m[0].length;
      } else {
        word += c;
        i++;
      }
    }
    out.push(word);
  }
  return out;
};

const expand = (text: string, vars: ReadonlyMap<string, string>): string => text.replace(/\$\{([A-Za-z_0-9]+)\}/g, (_, n: string) => vars.get(n) ?? "");

/** `[ … ]` as GRUB's test command, for the operators the generated script uses. */
const test = (args: ReadonlyArray<string>, envFile: () => boolean): boolean => {
  if (args[0] !== "[" || args[args.length - 1] !== "]") throw new Error(`not a test: ${args.join(" ")}`);
  const parts: Array<Array<string>> = [[]];
  for (const a of args.slice(1, -1)) {
    if (a === "-a") parts.push([]);
    else (parts[parts.length - 1] as Array<string>).push(a);
  }
  return parts.every((p) => {
    if (p[0] === "-s") return envFile();
    if (p[0] === "-n") return (p[1] ?? "") !== "";
    if (p[1] === "=") return p[0] === p[2];
    if (p[1] === "!=") return p[0] !== p[2];
    throw new Error(`unknown test ${p.join(" ")}`);
  });
};

/** One boot through GRUB: run grub.cfg's script with grubenv as GRUB would, then load the default entry. */
export const bootGrub = (disk: Disk, grubDir = "/boot/grub", bootRoot = ""): Booted => {
  const cfg = disk.read(`${grubDir}/grub.cfg`);
  if (cfg === null) throw new Error("GRUB: no grub.cfg");
  const envPath = `${grubDir}/grubenv`;
  const vars = new Map<string, string>([["prefix", grubDir]]);
  const entries: Array<GrubMenuEntry> = [];
  const stack: Array<{ taken: boolean; active: boolean }> = [];
  const active = () => stack.every((s) => s.active);
  const menus: Array<string> = [];
  let entry: { id: string; linux?: string; initrd?: string } | null = null;
  for (const raw of cfg.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("submenu ")) {
      menus.push(/--id ([^ ]+) \{$/.exec(line)?.[1] ?? "?");
      continue;
    }
    if (line.startsWith("menuentry ")) {
      entry = { id: /--id ([^ ]+) \{$/.exec(line)?.[1] ?? "?" };
      continue;
    }
    if (line === "}") {
      if (entry !== null) {
        entries.push({ id: entry.id, path: [...menus, entry.id].join(">"), linux: entry.linux ?? "", initrd: entry.initrd });
        entry = null;
      } else menus.pop();
      continue;
    }
    if (entry !== null) {
      const w = words(line, vars);
      if (w[0] === "linux") entry.linux = w.slice(1).join(" ");
      if (w[0] === "initrd") entry.initrd = w[1];
      continue;
    }
    const cond = /^(if|elif) (.*); then$/.exec(line);
    if (cond !== null) {
      if (cond[1] === "if") stack.push({ taken: false, active: false });
      const top = stack[stack.length - 1] as { taken: boolean; active: boolean };
      const enclosing = stack.slice(0, -1).every((s) => s.active);
      top.active = enclosing && !top.taken && test(words(cond[2] as string, vars), () => (disk.read(envPath) ?? "").length > 0);
      top.taken ||= top.active;
      continue;
    }
    if (line === "fi") {
      stack.pop();
      continue;
    }
    if (!active()) continue;
    const w = words(line, vars);
    if (w[0] === "set") {
      const eq = (w[1] as string).indexOf("=");
      vars.set((w[1] as string).slice(0, eq), (w[1] as string).slice(eq + 1));
    } else if (w[0] === "load_env") {
      const env = new Map(disk.readEnv(envPath) ?? []);
      for (const name of w.slice(1)) if (env.has(name)) vars.set(name, env.get(name) as string);
    } else if (w[0] === "save_env") {
      const env = [...(disk.readEnv(envPath) ?? [])].filter(([n]) => !w.slice(1).includes(n));
      disk.saveEnv(envPath, [...env, ...w.slice(1).map((n) => [n, vars.get(n) ?? ""] as const)]);
    } else throw new Error(`GRUB: unexpected command '${line}'`);
  }
  const wanted = vars.get("default") ?? "0";
  const top = entries.filter((e) => !e.path.includes(">"));
  const chosen = /^[0-9]+$/.test(wanted) ? top[Number(wanted)] : (entries.find((e) => e.path === wanted) ?? top[0]);
  if (chosen === undefined) throw new Error("GRUB: no menu entry to boot");
  const [kernel, ...params] = chosen.linux.split(" ");
  return bootedBy(disk, bootRoot, numberIn(chosen.id), kernel, chosen.initrd, params.join(" "), `GRUB entry ${chosen.path}`);
};

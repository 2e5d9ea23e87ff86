/**
 * systemd-boot behind the bootloader seam (Boot Loader Specification Type #1 entries, see `Entry`;
 * `loader.conf`, see `LoaderConf`). Writes go the OSTree way: kernels and initrds are copied to
 * the ESP first (only when absent: the ESP is often a small FAT partition), then the entries are
 * written, each durable before the next, and only then does `loader.conf` move the default, in one
 * atomic rename; entries and files nothing refers to any more are removed last.
 *
 * A trial is an entry with a boot counter, ranked first, and `default switchyard-*.conf`: the
 * loader boots the first entry in sort order, and once the trial's tries are spent that entry sorts
 * last, so the fallback (ranked second) boots by itself. Blessing is systemd-bless-boot's rename.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as Bootloader from "../Bootloader.js";
import * as BootFiles from "../BootFiles.js";
import type { InRootPath } from "../../paths/InRootPath.js";
import * as Menu from "../Menu.js";
import type * as World from "../../world/World.js";
import * as Entry from "./Entry.js";
import * as LoaderConf from "./LoaderConf.js";

const under = (esp: InRootPath, rest: string): InRootPath => `${esp === "/" ? "" : esp}/${rest}` as InRootPath;

export const pathsOf = (settings: World.Settings) => {
  const esp = Menu.espOf(settings);
  return {
    esp,
    entries: under(esp, "loader/entries"),
    loaderConf: under(esp, "loader/loader.conf"),
    /** Kernels and initrds, as the entries name them (relative to the ESP) and as they sit in the root. */
    files: under(esp, "EFI/switchyard"),
    espRelative: (name: string) => `/EFI/switchyard/${name}`,
  };
};

interface Observed {
  readonly path: InRootPath;
  readonly name: Entry.Name;
}

/** Our entry files as observed, by generation number. */
const entriesOf = (observed: BootFiles.Observed, dir: InRootPath): ReadonlyMap<number, ReadonlyArray<Observed>> => {
  const byNumber = new Map<number, Array<Observed>>();
  for (const path of BootFiles.inside(observed, dir)) {
    const name = Entry.parseName(path.slice(dir.length + 1));
    if (name === null) continue;
    const list = byNumber.get(name.number) ?? [];
    list.push({ path: path as InRootPath, name });
    byNumber.set(name.number, list);
  }
  return byNumber;
};

const trialOf = (observed: BootFiles.Observed, settings: World.Settings): Bootloader.ObservedTrial | null => {
  const p = pathsOf(settings);
  if (LoaderConf.get(BootFiles.text(observed, p.loaderConf), LoaderConf.DEFAULT) !== Entry.ANY) return null;
  let found: Observed | null = null;
  for (const list of entriesOf(observed, p.entries).values()) {
    for (const e of list) {
      if (Entry.rankOf(BootFiles.text(observed, e.path)) !== 0) continue;
      if (found === null || e.name.number > found.name.number || (e.name.number === found.name.number && e.name.counter !== null)) found = e;
    }
  }
  if (found === null) return null;
  const c = found.name.counter;
  return { target: found.name.number, triesLeft: c?.left ?? 0, triesDone: c?.done ?? (c === null ? null : 0), blessed: c === null };
};

const render = (menu: Menu.Menu, observed: BootFiles.Observed, settings: World.Settings): E.Either<Menu.BootConfigError, ReadonlyArray<BootFiles.FileOp>> => {
  const p = pathsOf(settings);
  const existing = entriesOf(observed, p.entries);
  const trial = menu.trial;
  const installs: Array<BootFiles.FileOp> = [];
  const entryOps: Array<BootFiles.FileOp> = [];
  const referenced = new Set<string>();
  const install = (source: string): string => {
    const name = Entry.installedName(source);
    const path = under(p.files, name);
    if (!referenced.has(path)) {
      referenced.add(path);
      if (!BootFiles.has(observed, path)) installs.push({ _tag: "Install", source: source as InRootPath, path });
    }
    return p.espRelative(name);
  };
  for (const e of menu.entries) {
    const rank: Entry.Rank = trial === null ? (e.number === menu.default ? 0 : 2) : e.number === trial.target ? 0 : e.number === menu.default ? 1 : 2;
    const text = Entry.content(e, rank, { linux: install(e.kernel), initrd: e.initrd === null ? null : install(e.initrd) });
    const files = existing.get(e.number) ?? [];
    const name = nameFor(e.number, trial, files);
    const target = under(p.entries, Entry.fileName(name));
    entryOps.push(...entryUpdate(observed, files, target, text));
  }
  const conf = BootFiles.text(observed, p.loaderConf);
  const wanted = LoaderConf.withSettings(conf, { default: trial === null ? Entry.id(menu.default) : Entry.ANY, timeout: LoaderConf.timeoutValue(menu.timeout) });
  const confOps: ReadonlyArray<BootFiles.FileOp> = conf === wanted ? [] : [{ _tag: "Write", path: p.loaderConf, content: wanted }];
  const listed = new Set(menu.entries.map((e) => e.number as number));
  const stale: Array<BootFiles.FileOp> = [];
  for (const [n, files] of existing) if (!listed.has(n)) for (const f of files) stale.push({ _tag: "Remove", path: f.path });
  for (const path of BootFiles.inside(observed, p.files)) if (!referenced.has(path)) stale.push({ _tag: "Remove", path: path as InRootPath });
  return E.right([...installs, ...entryOps, ...confOps, ...stale]);
};

/** The file name an entry gets: counted for a new trial, as the loader left it for a kept one. */
const nameFor = (n: Menu.Entry["number"], trial: Menu.Trial | null, files: ReadonlyArray<Observed>): Entry.Name => {
  if (trial === null || trial.target !== n) return { number: n, counter: null };
  if (trial.attempts !== null) return { number: n, counter: { left: trial.attempts, done: null } };
  const kept = files.find((f) => f.name.counter !== null) ?? files[0];
  return kept?.name ?? { number: n, counter: { left: 1, done: null } };
};

/** Bring one generation's entry files to `target` with `text`: a rename when only the counter changes. */
const entryUpdate = (observed: BootFiles.Observed, files: ReadonlyArray<Observed>, target: InRootPath, text: string): ReadonlyArray<BootFiles.FileOp> => {
  const ops: Array<BootFiles.FileOp> = [];
  const others = (keep: InRootPath | null) => files.filter((f) => f.path !== keep && f.path !== target).map((f): BootFiles.FileOp => ({ _tag: "Remove", path: f.path }));
  if (files.some((f) => f.path === target)) {
    if (BootFiles.text(observed, target) !== text) ops.push({ _tag: "Write", path: target, content: text });
    return [...ops, ...others(target)];
  }
  const same = files.find((f) => BootFiles.text(observed, f.path) === text);
  if (same !== undefined) return [{ _tag: "Rename", from: same.path, path: target }, ...others(same.path)];
  return [{ _tag: "Write", path: target, content: text }, ...others(null)];
};

const mark = (observed: BootFiles.Observed, trial: Bootloader.ObservedTrial, verdict: Bootloader.Verdict, settings: World.Settings) => {
  const p = pathsOf(settings);
  const files = entriesOf(observed, p.entries).get(trial.target) ?? [];
  const file = files.find((f) => f.name.counter !== null) ?? files[0];
  if (file === undefined) return E.left<Menu.BootConfigError>({ _tag: "BootConfigError", message: `generation ${trial.target} has no boot entry in ${p.entries}; switch again to write the menu` });
  const c = file.name.counter;
  const name: Entry.Name =
    verdict === "good" ? { number: trial.target, counter: null } : { number: trial.target, counter: { left: 0, done: c === null ? null : c.done ?? 0 } };
  const target = under(p.entries, Entry.fileName(name));
  if (verdict === "bad" && c !== null && c.left === 0) return E.right([]);
  return E.right<Menu.BootConfigError, ReadonlyArray<BootFiles.FileOp>>(target === file.path ? [] : [{ _tag: "Rename", from: file.path, path: target }]);
};

export const systemdBoot: Bootloader.Bootloader = {
  kind: "systemd-boot",
  watches: (settings) => {
    const p = pathsOf(settings);
    return [
      { _tag: "File", path: p.loaderConf },
      { _tag: "Texts", directory: p.entries },
      { _tag: "Names", directory: p.files },
    ];
  },
  configPath: (settings) => pathsOf(settings).loaderConf,
  render,
  trialOf,
  mark,
};

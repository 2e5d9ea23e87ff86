/**
 * GRUB behind the bootloader seam: `grub.cfg` (see `GrubConfig`) holds the menu, `grubenv` (see
 * `GrubEnv`) a trial. Arming a trial writes the menu first and the environment block last, so a
 * crash in between boots the old default; disarming clears the block first, for the same reason.
 * Blessing sets the `blessed` flag (one atomic write), after which the menu is rewritten around the
 * new default and only then are the trial variables cleared.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as Bootloader from "../Bootloader.js";
import * as BootFiles from "../BootFiles.js";
import * as GenerationNumber from "../../world/GenerationNumber.js";
import type { InRootPath } from "../../paths/InRootPath.js";
import type * as Menu from "../Menu.js";
import * as World from "../../world/World.js";
import * as GrubConfig from "./GrubConfig.js";
import * as GrubEnv from "./GrubEnv.js";

/** Where the default settings keep grub.cfg and grubenv; a machine's own are `pathsOf(settings)`. */
export const CONFIG = World.Paths.grubConfig;
export const ENV = "/boot/grub/grubenv" as InRootPath;

/** grub.cfg as the settings name it, and grubenv beside it (GRUB reads `${prefix}/grubenv`). */
export const pathsOf = (settings: World.Settings): { readonly config: InRootPath; readonly env: InRootPath } => {
  const config = settings.bootConfig;
  const dir = config.slice(0, config.lastIndexOf("/"));
  return { config, env: `${dir}/grubenv` as InRootPath };
};

const v = GrubEnv.Vars;
const NO_TRIAL = { [v.trial]: null, [v.tries]: null, [v.blessed]: null } as const;

const failure = (message: string): Menu.BootConfigError => ({ _tag: "BootConfigError", message });

/** The observed block's variables (none when there is no file yet). */
const envOf = (observed: BootFiles.Observed, env: InRootPath): E.Either<string, GrubEnv.Env> => {
  const text = BootFiles.text(observed, env);
  return text === null ? E.right([]) : GrubEnv.parse(text, env);
};

/** Write the block with `changes`, or nothing when it would not change. */
const envWrite = (
  observed: BootFiles.Observed,
  path: InRootPath,
  changes: Readonly<Record<string, string | null>>,
): E.Either<Menu.BootConfigError, ReadonlyArray<BootFiles.FileOp>> => {
  const env = envOf(observed, path);
  if (E.isLeft(env)) return E.left(failure(env.left));
  const next = GrubEnv.update(env.right, changes);
  if (JSON.stringify(next) === JSON.stringify(env.right)) return E.right([]);
  const content = GrubEnv.render(next, path);
  return E.isLeft(content) ? E.left(failure(content.left)) : E.right([{ _tag: "Write", path, content: content.right }]);
};

const trialOf = (observed: BootFiles.Observed, settings: World.Settings): Bootloader.ObservedTrial | null => {
  const env = envOf(observed, pathsOf(settings).env);
  if (E.isLeft(env)) return null;
  const target = GenerationNumber.parse(GrubEnv.get(env.right, v.trial) ?? "");
  if (target._tag === "None") return null;
  const tries = Number(GrubEnv.get(env.right, v.tries) ?? "0");
  return {
    target: target.value,
    triesLeft: Number.isInteger(tries) && tries > 0 ? tries : 0,
    triesDone: null,
    blessed: GrubEnv.get(env.right, v.blessed) === "1",
  };
};

const render = (menu: Menu.Menu, observed: BootFiles.Observed, settings: World.Settings): E.Either<Menu.BootConfigError, ReadonlyArray<BootFiles.FileOp>> => {
  const p = pathsOf(settings);
  const content = GrubConfig.content(menu);
  const config: ReadonlyArray<BootFiles.FileOp> = BootFiles.text(observed, p.config) === content ? [] : [{ _tag: "Write", path: p.config, content }];
  const t = menu.trial;
  if (t !== null && t.attempts === null) return E.right(config);
  // An unreadable block blocks only what must change it: a menu without a trial never needs one.
  const current = trialOf(observed, settings);
  if (t === null && current === null && E.isLeft(envOf(observed, p.env))) return E.right(config);
  if (t === null) {
    // Cancelling a trial clears the block first, so a crash cannot boot the cancelled generation;
    // when the trial becomes the default (bless), the menu goes first, so every crash boots it.
    const becomesDefault = current !== null && current.target === menu.default;
    return E.map((env: ReadonlyArray<BootFiles.FileOp>) => (becomesDefault ? [...config, ...env] : [...env, ...config]))(envWrite(observed, p.env, NO_TRIAL));
  }
  return E.map((env: ReadonlyArray<BootFiles.FileOp>) => [...config, ...env])(
    envWrite(observed, p.env, { [v.trial]: String(t.target), [v.tries]: String(t.attempts), [v.blessed]: null }),
  );
};

const mark = (observed: BootFiles.Observed, _trial: Bootloader.ObservedTrial, verdict: Bootloader.Verdict, settings: World.Settings) => {
  const env = pathsOf(settings).env;
  return verdict === "good" ? envWrite(observed, env, { [v.blessed]: "1" }) : envWrite(observed, env, { [v.tries]: "0", [v.blessed]: null });
};

export const grub: Bootloader.Bootloader = {
  kind: "grub",
  watches: (settings) => [
    { _tag: "File", path: pathsOf(settings).config },
    { _tag: "File", path: pathsOf(settings).env },
  ],
  configPath: (settings) => pathsOf(settings).config,
  render,
  trialOf,
  mark,
};

/**
 * The values of the enum options. The model defines each enum once (its codecs and the types
 * derived from them); the lists here are checked against those types by the compiler, both ways,
 * so a value the model adds or drops fails the build until its line here changes. Only types are
 * imported: the parser must load nothing else, so that `--help` and usage errors stay fast.
 */
import type { Request, Settings } from "@switchyard/model";

/** `list` as given, provided it holds every member of T; `satisfies` below keeps it to members of T. */
const every =
  <T extends string>() =>
  <L extends ReadonlyArray<T>>(list: L & ([T] extends [L[number]] ? unknown : never)): ReadonlyArray<L[number]> =>
    list;

export const bootloader = every<Settings.Bootloader>()(["grub", "systemd-boot", "none"] as const);
export const serviceManager = every<Settings.ServiceManagerKind>()(["none", "s6"] as const);
export const layout = every<Settings.Layout>()(["switchyard", "nix", "guix"] as const);
export const mode = every<Request.Mode>()(["switch", "boot", "test", "try"] as const);
export const services = every<Request.ServicesPolicy>()(["live", "conservative"] as const);
export const state = every<Request.StatePolicy>()(["auto", "keep", "restore"] as const);

/** The value of `given` among `choices`, typed, or undefined: no cast needed once the parser checked it. */
export const find = <T extends string>(choices: ReadonlyArray<T>, given: string | undefined): T | undefined => choices.find((c) => c === given);

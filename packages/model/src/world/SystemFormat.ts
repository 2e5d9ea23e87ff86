/**
 * Generations that describe themselves not in manifest.json but in their own system's format: a
 * NixOS bootspec or Guix boot parameters. Such a generation is activated its own system's way and
 * its services are that activation's business: switchyard does not diff them, and says so.
 */
import type { InRootPath } from "../paths/InRootPath.js";
import * as World from "./World.js";

export type Format = NonNullable<World.Generation["format"]>;

export const describe = (format: Format): string => (format === "nixos-bootspec" ? "a NixOS system (boot.json)" : "a Guix system (parameters)");

/** What the activation step adds: NixOS's action argument, Guix's GUIX_NEW_SYSTEM. */
export const activation = (format: Format | undefined, system: InRootPath): { readonly args?: ReadonlyArray<string>; readonly env?: Readonly<Record<string, string>> } =>
  format === "nixos-bootspec" ? { args: ["test"] } : format === "guix-parameters" ? { env: { GUIX_NEW_SYSTEM: system } } : {};

export const formatOf = (world: World.World, n: number | null): Format | undefined => (n === null ? undefined : World.generation(world, n)?.format);

/** Why services are not diffed for this switch, or null when both sides are switchyard manifests. */
export const servicesNote = (world: World.World, target: World.Generation): string | null => {
  const running = world.running.generation;
  const theirs = [
    ...(target.format === undefined ? [] : [`generation ${target.number} is ${describe(target.format)}`]),
    ...(running === null || running === target.number || formatOf(world, running) === undefined ? [] : [`generation ${running} is ${describe(formatOf(world, running) as Format)}`]),
  ];
  return theirs.length === 0 ? null : `${theirs.join(" and ")}: its services are started by its own activation and are not diffed`;
};

/** The `--json` documents of list and describe (the plan document is the plan itself). */
import { RestartDebt, SnapshotStore, StateWorld, Stepped, Trial, type World } from "@switchyard/model";
import type * as Render from "./Render.js";
import * as Stamp from "./Stamp.js";

const stamps = Stamp.formatter();
const iso = (ms: number): string => stamps.iso(ms);

export const generation = (world: Render.Marked, g: World.Generation) => ({
  number: g.number,
  created: iso(g.createdMs),
  label: g.header._tag === "Valid" ? g.header.header.label : null,
  system: g.system,
  current: g.number === world.current,
  running: g.number === world.running.generation,
  booted: g.number === world.booted.generation,
  pinned: world.pins?.includes(g.number) === true,
  ...(g.format === undefined ? {} : { format: g.format }),
  ...(g.header._tag === "Invalid" ? { error: `${g.header.error.file}: ${g.header.error.field}: ${g.header.error.message}` } : {}),
});

/** `--long` adds the boot entry and the number of services (null when the manifest is invalid). */
const long = (g: World.Generation) => ({
  kernel: g.header._tag === "Valid" ? g.header.header.boot.kernel : null,
  initrd: g.header._tag === "Valid" ? g.header.header.boot.initrd : null,
  params: g.header._tag === "Valid" ? g.header.header.boot.params : null,
  serviceCount: g.manifest._tag === "Valid" ? g.manifest.manifest.services.length : null,
});

export const list = (world: Render.Marked, gens: ReadonlyArray<World.Generation>, withBoot = false) => ({
  generations: gens.map((g) => (withBoot ? { ...generation(world, g), ...long(g) } : generation(world, g))),
});

export const describe = (world: World.World, g: World.Generation) => {
  const base = generation(world, g);
  if (g.manifest._tag === "Invalid") return base;
  const m = g.manifest.manifest;
  return {
    ...base,
    boot: m.boot,
    activate: m.activate,
    services: m.services,
    runningGeneration: world.running.generation,
    restartDebt: RestartDebt.standing(world),
    trial: Trial.of(world),
    // Each stateful service's epoch and the data on disk, and whether snapshots would be encrypted.
    state: m.services.flatMap((r) => (r.state === null ? [] : [{ service: r.name, epoch: r.state.epoch, data: Stepped.dataOnDisk(world).find((d) => d.service === r.name) ?? null }])),
    snapshotsEncrypted: SnapshotStore.encrypted(StateWorld.storeOf(world)),
    snapshotRecipients: StateWorld.storeOf(world).recipients.length,
  };
};

export const print = (doc: unknown): void => {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
};

/** The `--json` documents of list and describe (the plan document is the plan itself). */
import { RestartDebt, SnapshotStore, StateWorld, Stepped, Trial, type World } from "@switchyard/model";
import * as Pieces from "./Pieces.js";
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

/**
 * An array whose elements are made as `print` writes them, each garbage once written: 10,000
 * generations' documents built first would all live until the last is written. Anything else that
 * reads it (`JSON.stringify`) gets the whole array.
 */
export class Elements {
  constructor(
    readonly length: number,
    readonly at: (i: number) => unknown,
  ) {}
  toJSON(): ReadonlyArray<unknown> {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}

export const list = (world: Render.Marked, gens: ReadonlyArray<World.Generation>, withBoot = false) => ({
  generations: new Elements(gens.length, (i) => {
    const g = gens[i] as World.Generation;
    return withBoot ? { ...generation(world, g), ...long(g) } : generation(world, g);
  }),
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

/**
 * `JSON.stringify(doc, null, 2)` and a newline, byte for byte, written in pieces of about 64 KiB: a
 * listing of 10,000 generations is 3.3 MB of JSON, which as one string and then one buffer for
 * standard output raised the peak RSS by several MB. A plain object's members and an array's
 * elements are stringified one at a time, re-indented (JSON text has no raw newline inside strings).
 */
export const print = (doc: unknown): void => {
  const out = Pieces.toStdout();
  write(doc, "", out.emit);
  out.emit("\n");
  out.end();
};

const isPlain = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype && !("toJSON" in x);

/** One value at the given indent; only the top two levels are split, below that JSON.stringify writes it. */
const write = (value: unknown, indent: string, emit: (text: string) => void, depth = 0): void => {
  const inner = `${indent}  `;
  // Only the split levels need an array's elements one by one; below them JSON.stringify takes it whole.
  const elements = depth >= 2 ? null : value instanceof Elements ? value : Array.isArray(value) ? new Elements(value.length, (i) => value[i] as unknown) : null;
  if (elements !== null && elements.length > 0) {
    emit("[");
    for (let i = 0; i < elements.length; i++) {
      emit(i === 0 ? `\n${inner}` : `,\n${inner}`);
      const v: unknown = elements.at(i);
      if (v === undefined || typeof v === "function" || typeof v === "symbol") emit("null");
      else write(v, inner, emit, depth + 1);
    }
    emit(`\n${indent}]`);
    return;
  }
  if (depth < 2 && isPlain(value)) {
    let first = true;
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
      emit(`${first ? "{" : ","}\n${inner}${JSON.stringify(key)}: `);
      first = false;
      write(v, inner, emit, depth + 1);
    }
    emit(first ? "{}" : `\n${indent}}`);
    return;
  }
  const text = JSON.stringify(value, null, 2);
  emit(indent === "" ? text : text.replaceAll("\n", `\n${indent}`));
};

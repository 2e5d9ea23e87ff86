/** The `--json` documents of list and describe (the plan document is the plan itself). */
import { RestartDebt, type World } from "@switchyard/model";

const iso = (ms: number): string => new Date(ms).toISOString();

export const generation = (world: Pick<World.World, "current" | "running" | "booted">, g: World.Generation) => ({
  number: g.number,
  created: iso(g.createdMs),
  label: g.header._tag === "Valid" ? g.header.header.label : null,
  system: g.system,
  current: g.number === world.current,
  running: g.number === world.running.generation,
  booted: g.number === world.booted.generation,
  ...(g.header._tag === "Invalid" ? { error: `${g.header.error.file}: ${g.header.error.field}: ${g.header.error.message}` } : {}),
});

export const list = (world: Pick<World.World, "current" | "running" | "booted">, gens: ReadonlyArray<World.Generation>) => ({ generations: gens.map((g) => generation(world, g)) });

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
  };
};

export const print = (doc: unknown): void => {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
};

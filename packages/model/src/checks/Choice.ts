/**
 * The choices a person (or a program) made for the items of one transition, kept in the state
 * directory (`choices.json`) so they wait across reboots. The record is keyed by the transition:
 * the from and target generations and a digest of both system directories, so a choice made for
 * one switch never applies to another (a rebuilt generation under the same number included).
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as Decode from "../codec/Decode.js";
import { GenerationNumberCodec } from "../world/GenerationNumber.js";
import type { InRootPath } from "../paths/InRootPath.js";
import * as Sha256 from "../internal/Sha256.js";
import { strict } from "../internal/Strict.js";
import type * as Checks from "./Checks.js";
import { Id, Item, type Migration } from "./Item.js";

export const PATH = "/var/lib/switchyard/choices.json" as InRootPath;

export const Transition = strict({ from: t.union([GenerationNumberCodec, t.null]), to: GenerationNumberCodec, systems: t.string }, "transition");
export type Transition = t.TypeOf<typeof Transition>;

export const Choice = strict({ item: Id, resolution: Id }, "choice");
export type Choice = t.TypeOf<typeof Choice>;

/** The items last reported for `transition` (what `choose` picks from) and the choices made. */
export const File = strict({ version: t.literal(1), transition: Transition, items: t.array(Item), choices: t.array(Choice) }, "choices");
export type File = t.TypeOf<typeof File>;

/** The key of the transition from `from` to `to`; a graph of migrations is keyed the same way as the checks before it. */
export const keyOf = (context: Pick<Checks.Context, "from" | "to" | "fromSystem" | "toSystem">): Transition => ({
  from: context.from as Transition["from"],
  to: context.to as Transition["to"],
  systems: Sha256.ofText(`${context.fromSystem ?? ""}\n${context.toSystem}`),
});

export const sameTransition = (a: Transition, b: Transition): boolean => a.from === b.from && a.to === b.to && a.systems === b.systems;

export const describeTransition = (k: Transition): string => `generation ${k.from ?? "(none)"} to ${k.to}`;

const resolutionOf = (items: ReadonlyArray<Item>, choice: Choice) => items.find((i) => i.id === choice.item)?.resolutions?.find((r) => r.id === choice.resolution);

/** The choices that still name an item and one of its resolutions, one per item (the last made wins). */
export const valid = (items: ReadonlyArray<Item>, choices: ReadonlyArray<Choice>): ReadonlyArray<Choice> => {
  const latest = new Map<string, Choice>();
  for (const c of choices) if (resolutionOf(items, c) !== undefined) latest.set(c.item, c);
  return items.flatMap((i) => {
    const c = latest.get(i.id);
    return c === undefined ? [] : [c];
  });
};

/** The choices that apply to the transition `key`: none when the record was made for another. */
export const applying = (file: File | null, key: Transition, items: ReadonlyArray<Item>): ReadonlyArray<Choice> =>
  file === null || !sameTransition(file.transition, key) ? [] : valid(items, file.choices);

/** The record after `items` were reported for `key`: choices made for another transition are void. */
export const reported = (file: File | null, key: Transition, items: ReadonlyArray<Item>): File => ({
  version: 1,
  transition: key,
  items: [...items],
  choices: [...applying(file, key, items)],
});

/** Record that `resolution` settles `item`, or say why it cannot. */
export const choose = (file: File | null, item: string, resolution: string): E.Either<string, File> => {
  if (file === null || file.items.length === 0) return E.left("no items are pending; run 'switchyard check OPERATION' to see what the checks report");
  const found = file.items.find((i) => i.id === item);
  if (found === undefined) return E.left(`no pending item '${item}'; pending: ${file.items.map((i) => i.id).join(", ")} (see 'switchyard choices')`);
  const offered = found.resolutions ?? [];
  if (offered.length === 0) return E.left(`item '${item}' offers no resolution; remove its cause and run the checks again`);
  if (!offered.some((r) => r.id === resolution)) return E.left(`item '${item}' has no resolution '${resolution}'; choose one of: ${offered.map((r) => r.id).join(", ")}`);
  return E.right({ ...file, choices: [...file.choices.filter((c) => c.item !== item), { item, resolution }] });
};

/** Error items that no valid choice settles: what blocks an apply. */
export const unresolved = (items: ReadonlyArray<Item>, choices: ReadonlyArray<Choice>): ReadonlyArray<Item> => {
  const settled = new Set(valid(items, choices).map((c) => c.item));
  return items.filter((i) => i.severity === "error" && !settled.has(i.id));
};

/** The migrations of the chosen resolutions, in item order; a migration two resolutions share runs once. */
export const chosenMigrations = (items: ReadonlyArray<Item>, choices: ReadonlyArray<Choice>): ReadonlyArray<Migration> => {
  const seen = new Set<string>();
  return valid(items, choices).flatMap((c) =>
    (resolutionOf(items, c)?.migrations ?? []).filter((m) => {
      if (seen.has(m.id)) return false;
      seen.add(m.id);
      return true;
    }),
  );
};

export const fromText = (text: string, file: string): E.Either<string, File> =>
  E.mapLeft((f: Decode.DecodeFailure) => `${Decode.describe(f)}; fix it or remove it (the choices it holds are then lost)`)(Decode.text(File, text, file));

export const render = (file: File): string => `${JSON.stringify(File.encode(file), null, 2)}\n`;

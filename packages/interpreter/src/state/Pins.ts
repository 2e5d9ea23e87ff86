/** Reads and writes the pins record (`Pins` in the model) through the file-system port, atomically. */
import { Pins } from "@switchyard/model";
import type { GenerationNumber } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import { ObserveError } from "../Errors.js";
import * as Root from "../root/Root.js";
import * as Absent from "../ports/Absent.js";

export const read = Effect.fn("readPins")(function* (root: Root.Root) {
  const file = Root.host(root, Pins.PATH);
  const bytes = yield* Absent.readFile(file, (e) => new ObserveError({ reason: "Io", message: `cannot read ${file}: ${e.message}` }));
  if (bytes === null) return [] as ReadonlyArray<GenerationNumber.GenerationNumber>;
  const pins = Pins.fromText(new TextDecoder().decode(bytes), file);
  return pins._tag === "Right" ? pins.right : yield* new ObserveError({ reason: "Layout", message: pins.left });
});

export const write = (root: Root.Root, pins: ReadonlyArray<GenerationNumber.GenerationNumber>) =>
  Durable.writeFile(Root.host(root, Pins.PATH), new TextEncoder().encode(Pins.render(pins)));

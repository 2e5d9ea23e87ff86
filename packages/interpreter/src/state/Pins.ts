/** Reads and writes the pins record (`Pins` in the model) through the file-system port, atomically. */
import { Pins } from "@switchyard/model";
import type { GenerationNumber } from "@switchyard/model";
import { Effect } from "effect";
import * as Durable from "../durable/Durable.js";
import { ObserveError } from "../Errors.js";
import { FileSystem } from "../ports/FileSystem.js";
import * as Root from "../root/Root.js";

export const read = Effect.fn("readPins")(function* (root: Root.Root) {
  const fs = yield* FileSystem;
  const file = Root.host(root, Pins.PATH);
  const bytes = yield* fs.readFile(file).pipe(
    Effect.map((b): Uint8Array | null => b),
    Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
    Effect.mapError((e) => new ObserveError({ reason: "Io", message: `cannot read ${file}: ${e.message}` })),
  );
  if (bytes === null) return [] as ReadonlyArray<GenerationNumber.GenerationNumber>;
  const pins = Pins.fromText(new TextDecoder().decode(bytes), file);
  return pins._tag === "Right" ? pins.right : yield* new ObserveError({ reason: "Layout", message: pins.left });
});

export const write = (root: Root.Root, pins: ReadonlyArray<GenerationNumber.GenerationNumber>) =>
  Durable.writeFile(Root.host(root, Pins.PATH), new TextEncoder().encode(Pins.render(pins)));

/**
 * Pinned generations (`switchyard pin N`), kept in `/var/lib/switchyard/pins.json`: no delete
 * pattern ever removes them, as OSTree's pinned deployments. The record is decoded strictly: an
 * unreadable one is an error, never "no pins", since reading it wrong could delete what was pinned.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as Decode from "../codec/Decode.js";
import { type GenerationNumber, GenerationNumberCodec } from "./GenerationNumber.js";
import type { InRootPath } from "../paths/InRootPath.js";
import { strict } from "../internal/Strict.js";

export const PATH = "/var/lib/switchyard/pins.json" as InRootPath;

export const File = strict({ version: t.literal(1), pinned: t.readonlyArray(GenerationNumberCodec) }, "pins");

export const fromText = (text: string, file: string): E.Either<string, ReadonlyArray<GenerationNumber>> =>
  E.bimap(
    (f: Decode.DecodeFailure) => `${Decode.describe(f)}; fix it or remove it (every pin is then lost)`,
    (decoded: t.TypeOf<typeof File>) => [...new Set(decoded.pinned)].sort((a, b) => a - b),
  )(Decode.text(File, text, file));

export const render = (pins: ReadonlyArray<GenerationNumber>): string => `${JSON.stringify({ version: 1, pinned: [...pins].sort((a, b) => a - b) })}\n`;

/**
 * The one bridge from the model's decoding (`Decode`: JSON syntax with line and column, then an
 * io-ts codec with the field path) to the interpreter's tagged errors: each site reads its bytes,
 * names its source and says which error a `DecodeFailure` becomes there.
 */
import { Decode } from "@switchyard/model";
import { Effect } from "effect";
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type * as t from "io-ts";

export type DecodeFailure = Decode.DecodeFailure;
export const describe = Decode.describe;
/** JSON syntax only, for sites whose decoding is more than a codec (a manifest's paths and service graph). */
export const json = Decode.json;

/** A model `Either` as an effect failing with `toError` of its left. */
export const either = <L, A, Err>(result: E.Either<L, A>, toError: (left: L) => Err): Effect.Effect<A, Err> =>
  pipe(
    result,
    E.match((left): Effect.Effect<A, Err> => Effect.fail(toError(left)), (right) => Effect.succeed(right)),
  );

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as UTF-8 text; anything else is a failure of the whole source, not a guess. */
export const utf8Text = (bytes: Uint8Array, source: string): E.Either<DecodeFailure, string> =>
  E.tryCatch(
    () => utf8.decode(bytes),
    () => ({ _tag: "DecodeFailure", source, field: "(encoding)", line: null, column: null, message: "not valid UTF-8" }) satisfies DecodeFailure,
  );

export const value = <A, O, Err>(codec: t.Type<A, O, unknown>, json: unknown, source: string, toError: (f: DecodeFailure) => Err) =>
  either(Decode.value(codec, json, source), toError);

export const text = <A, O, Err>(codec: t.Type<A, O, unknown>, input: string, source: string, toError: (f: DecodeFailure) => Err) =>
  either(Decode.text(codec, input, source), toError);

/** UTF-8 bytes read from a file, decoded with `codec`. */
export const bytes = <A, O, Err>(codec: t.Type<A, O, unknown>, input: Uint8Array, source: string, toError: (f: DecodeFailure) => Err) =>
  either(
    pipe(
      utf8Text(input, source),
      E.chain((s) => Decode.text(codec, s, source)),
    ),
    toError,
  );

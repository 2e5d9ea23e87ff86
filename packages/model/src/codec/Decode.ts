/**
 * The one way text becomes a decoded value in the model: JSON syntax (with line and column), then
 * an io-ts codec (with the field path). Every parse-then-decode site uses this, and the
 * interpreter's bridge turns its `DecodeFailure` into a tagged Effect error.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type * as t from "io-ts";
import { firstError } from "../internal/Report.js";
import * as JsonText from "./JsonText.js";

export interface DecodeFailure {
  readonly _tag: "DecodeFailure";
  /** How the input is named in messages (a path, "the plan"…). */
  readonly source: string;
  /** The JSON field path, or "(syntax)" for text that is not JSON. */
  readonly field: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

/** "manifest.json:3:14: expected ',' or '}'" or "manifest.json: services[0].name: expected …". */
export const describe = (f: DecodeFailure): string =>
  f.line === null ? `${f.source}: ${f.field}: ${f.message}` : `${f.source}:${f.line}:${f.column}: ${f.message}`;

export const value = <A, O>(codec: t.Type<A, O, unknown>, json: unknown, source: string): E.Either<DecodeFailure, A> =>
  pipe(
    codec.decode(json),
    E.mapLeft((errors) => ({ _tag: "DecodeFailure" as const, source, line: null, column: null, ...firstError(errors) })),
  );

export const json = (text: string, source: string): E.Either<DecodeFailure, unknown> =>
  pipe(
    JsonText.parse(text),
    E.mapLeft((e) => ({ _tag: "DecodeFailure" as const, source, field: "(syntax)", line: e.line, column: e.column, message: e.message })),
  );

export const text = <A, O>(codec: t.Type<A, O, unknown>, input: string, source: string): E.Either<DecodeFailure, A> =>
  pipe(json(input, source), E.chain((j) => value(codec, j, source)));

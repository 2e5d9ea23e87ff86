/** The values of a `t.keyof` enumeration, so help texts and "must be one of" messages come from its one definition. */
import type * as t from "io-ts";

export const choicesOf = <K extends string>(codec: t.KeyofC<{ readonly [k in K]: null }>): ReadonlyArray<K> => Object.keys(codec.keys) as Array<K>;

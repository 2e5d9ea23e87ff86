/**
 * io-ts's `t.exact` strips unknown keys; a manifest with a misspelt field must instead be refused,
 * so strict positions use this combinator, which fails naming the unexpected key.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";

export const strict = <P extends t.Props>(props: P, name: string): t.Type<t.TypeOfProps<P>, t.OutputOfProps<P>, unknown> => {
  const base = t.type(props, name);
  return strictOf(base, Object.keys(props), name);
};

export const strictPartial = <R extends t.Props, O extends t.Props>(
  required: R,
  optional: O,
  name: string,
): t.Type<t.TypeOfProps<R> & Partial<t.TypeOfPartialProps<O>>, t.OutputOfProps<R> & Partial<t.OutputOfPartialProps<O>>, unknown> => {
  const base = t.intersection([t.type(required), t.partial(optional)], name);
  return strictOf(base, [...Object.keys(required), ...Object.keys(optional)], name);
};

const strictOf = <A, O>(base: t.Type<A, O, unknown>, keys: ReadonlyArray<string>, name: string): t.Type<A, O, unknown> => {
  const known = new Set(keys);
  return new t.Type<A, O, unknown>(
    name,
    // As strict as decoding: a value with an unexpected key is not one of ours.
    (u): u is A => base.is(u) && Object.keys(u as object).every((key) => known.has(key)),
    (input, context) => {
      if (typeof input === "object" && input !== null && !Array.isArray(input)) {
        for (const key of Object.keys(input)) {
          if (!known.has(key)) {
            return t.failure(input, [...context, { key, type: t.never, actual: (input as Record<string, unknown>)[key] }], `unknown field '${key}'`);
          }
        }
      }
      return E.map((a: A) => pick(a, known))(base.validate(input, context));
    },
    (a) => base.encode(a),
  );
};

const pick = <A>(a: A, known: ReadonlySet<string>): A => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a as Record<string, unknown>)) if (known.has(k) && v !== undefined) out[k] = v;
  return out as A;
};

/** A pair that refuses a third element instead of dropping it, so decoding never rewrites the input. */
export const pair = <A, AO, B, BO>(first: t.Type<A, AO, unknown>, second: t.Type<B, BO, unknown>, name: string): t.Type<readonly [A, B], readonly [AO, BO], unknown> => {
  const base = t.readonly(t.tuple([first, second]));
  return new t.Type<readonly [A, B], readonly [AO, BO], unknown>(
    name,
    (u): u is readonly [A, B] => base.is(u),
    (input, context) => (Array.isArray(input) && input.length !== 2 ? t.failure(input, context, `expected exactly 2 elements, found ${input.length}`) : base.validate(input, context)),
    (a) => base.encode(a),
  );
};

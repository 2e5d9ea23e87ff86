/**
 * io-ts's `t.exact` strips unknown keys; a manifest with a misspelt field must instead be refused,
 * so strict positions use this combinator, which fails naming each unexpected key (and the known
 * one it is closest to).
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as Nearest from "./Nearest.js";

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
      // Every unknown key and every other fault of the object, so a checker can list them all at once.
      const unknown: Array<t.ValidationError> = [];
      if (typeof input === "object" && input !== null && !Array.isArray(input)) {
        for (const key of Object.keys(input)) {
          if (known.has(key)) continue;
          const near = Nearest.closest(key, known);
          const message = `unknown field '${key}'${near === null ? "" : `; did you mean '${near}'?`}`;
          unknown.push({ value: input, context: [...context, { key, type: t.never, actual: (input as Record<string, unknown>)[key] }], message });
        }
      }
      const result = base.validate(input, context);
      if (unknown.length > 0) return t.failures([...unknown, ...(E.isLeft(result) ? result.left : [])]);
      return E.map((a: A) => pick(a, known))(result);
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

/** io-ts codec for in-root paths, so a decoded plan cannot carry a relative or climbing path. */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as InRootPath from "./InRootPath.js";

export const InRootPathCodec = new t.Type<InRootPath.InRootPath, string, unknown>(
  "InRootPath",
  (u): u is InRootPath.InRootPath => typeof u === "string" && E.isRight(InRootPath.fromAbsolute(u)) && InRootPath.unsafe(u) === u,
  (u, c) => {
    if (typeof u !== "string") return t.failure(u, c, "expected an absolute path");
    const r = InRootPath.fromAbsolute(u);
    if (E.isLeft(r)) return t.failure(u, c, r.left);
    return r.right === u ? t.success(r.right) : t.failure(u, c, `'${u}' is not a normalised path`);
  },
  (a) => a,
);

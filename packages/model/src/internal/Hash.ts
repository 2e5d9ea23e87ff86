/**
 * FNV-1a, 64 bits, over the UTF-8 bytes of a string: a small, pure, stable digest for naming what
 * a service runs (its revision). Not cryptographic — it only has to tell records apart, and it must
 * give the same answer in every process, so it may not depend on the platform's crypto.
 */
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** 16 lowercase hex digits. */
export const fnv1a64 = (text: string): string => {
  let hash = OFFSET;
  for (const byte of utf8(text)) {
    hash ^= BigInt(byte);
    hash = (hash * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, "0");
};

/** UTF-8 without TextEncoder, which the pure core does not assume; lone surrogates become U+FFFD. */
const utf8 = function* (text: string): Generator<number> {
  for (const ch of text) {
    let c = ch.codePointAt(0) as number;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) yield c;
    else if (c < 0x800) yield* [0xc0 | (c >> 6), 0x80 | (c & 0x3f)];
    else if (c < 0x10000) yield* [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
    else yield* [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
  }
};

/**
 * FNV-1a, 64 bits, over the UTF-8 bytes of a string: a small, pure, stable digest for naming what
 * a service runs (its revision). Not cryptographic — it only has to tell records apart, and it must
 * give the same answer in every process, so it may not depend on the platform's crypto.
 */
import * as Utf8 from "./Utf8.js";

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** 16 lowercase hex digits. */
export const fnv1a64 = (text: string): string => {
  let hash = OFFSET;
  for (const byte of Utf8.encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, "0");
};

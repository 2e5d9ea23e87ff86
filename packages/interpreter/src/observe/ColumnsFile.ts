/**
 * The generations index's columns file as bytes: one line of JSON (the model's head, this
 * machine's byte order, and each section's name, kind, count and place), then the sections, each
 * on an 8-byte boundary: numbers as typed arrays in this machine's byte order, strings as one UTF-8
 * text after the end of each string in it (counted in UTF-16 units, as the text decodes). Read back,
 * a numeric column is one typed array and a column of strings one string sliced where it is read,
 * so reading 10,000 generations makes a few dozen objects, not tens of thousands; a file of another
 * byte order, or that does not frame, is no index.
 */
import type { GenerationsIndex } from "@switchyard/model";

const ALIGN = 8;
const BYTE_ORDER = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "little" : "big";
const encoder = new TextEncoder();
// `ignoreBOM`: a first string that starts with U+FEFF keeps it.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const aligned = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** The bytes of `file`; null when a column of strings is longer than a string can be, or than 32-bit ends can count (then no index is written). */
export const encode = (file: GenerationsIndex.ColumnsFile): Uint8Array | null => {
  const parts: Array<{ readonly at: number; readonly bytes: Uint8Array }> = [];
  /** The body's length so far: each part starts on the next 8-byte boundary, the last one ends it. */
  let size = 0;
  const place = (bytes: Uint8Array): number => {
    const at = aligned(size);
    parts.push({ at, bytes });
    size = at + bytes.byteLength;
    return at;
  };
  const placed: Array<ReadonlyArray<string | number>> = [];
  for (const [name, s] of file.sections) {
    if (s.kind === "strings") {
      const ends = new Int32Array(s.values.length);
      const strings: Array<string> = [];
      let chars = 0;
      for (let i = 0; i < s.values.length; i++) {
        const x = s.values.at(i) as string;
        strings.push(x);
        chars += x.length;
        ends[i] = chars;
      }
      if (chars > 0x7fffffff) return null;
      let text: Uint8Array;
      try {
        text = encoder.encode(strings.join(""));
      } catch {
        // Longer than a string can be: no index is written.
        return null;
      }
      placed.push([name, "strings", ends.length, place(new Uint8Array(ends.buffer)), place(text), text.byteLength]);
    } else {
      const typed = s.kind === "f64" ? Float64Array.from(s.values) : Int32Array.from(s.values);
      placed.push([name, s.kind, typed.length, place(new Uint8Array(typed.buffer))]);
    }
  }
  const head = encoder.encode(`${JSON.stringify({ head: file.head, byteOrder: BYTE_ORDER, sections: placed })}\n`);
  const body = aligned(head.byteLength);
  const out = new Uint8Array(body + size);
  out.set(head);
  for (const p of parts) out.set(p.bytes, body + p.at);
  return out;
};

/** A column of strings read back: one text, sliced at the ends recorded. */
class Sliced implements GenerationsIndex.Column<string> {
  readonly length: number;
  readonly #text: string;
  readonly #ends: Int32Array;
  constructor(text: string, ends: Int32Array) {
    this.length = ends.length;
    this.#text = text;
    this.#ends = ends;
  }
  at(i: number): string | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) return undefined;
    return this.#text.slice(i === 0 ? 0 : this.#ends[i - 1], this.#ends[i]);
  }
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** `count` elements of `width` bytes at `at` in `body`, copied to a buffer of their own (aligned, and not keeping the file's bytes alive). */
const copied = (body: Uint8Array, at: unknown, count: number, width: number): ArrayBuffer | null => {
  if (!isCount(at) || at % ALIGN !== 0 || at + count * width > body.byteLength) return null;
  const copy = new Uint8Array(count * width);
  copy.set(body.subarray(at, at + count * width));
  return copy.buffer;
};

const stringsAt = (body: Uint8Array, count: number, endsAt: unknown, textAt: unknown, textBytes: unknown): Sliced | null => {
  const endsBuffer = copied(body, endsAt, count, 4);
  if (endsBuffer === null || !isCount(textAt) || !isCount(textBytes) || textAt + textBytes > body.byteLength) return null;
  const ends = new Int32Array(endsBuffer);
  let text: string;
  try {
    text = decoder.decode(body.subarray(textAt, textAt + textBytes));
  } catch {
    return null;
  }
  for (let i = 0; i < count; i++) if ((ends[i] as number) < (i === 0 ? 0 : (ends[i - 1] as number))) return null;
  return (count === 0 ? 0 : ends[count - 1]) === text.length ? new Sliced(text, ends) : null;
};

/** The columns file in `bytes`, or null when they do not frame one written on a machine of this byte order. */
export const decode = (bytes: Uint8Array): GenerationsIndex.ColumnsFile | null => {
  const newline = bytes.indexOf(10);
  if (newline < 0) return null;
  let top: unknown;
  try {
    top = JSON.parse(decoder.decode(bytes.subarray(0, newline)));
  } catch {
    return null;
  }
  if (typeof top !== "object" || top === null) return null;
  const { head, byteOrder, sections } = top as Record<string, unknown>;
  if (byteOrder !== BYTE_ORDER || !Array.isArray(sections)) return null;
  const body = bytes.subarray(aligned(newline + 1));
  const read = new Map<string, GenerationsIndex.Section>();
  for (const s of sections as ReadonlyArray<unknown>) {
    if (!Array.isArray(s) || typeof s[0] !== "string" || read.has(s[0]) || !isCount(s[2])) return null;
    const [name, kind, count] = s as [string, unknown, number];
    if (kind === "strings") {
      const values = stringsAt(body, count, s[3], s[4], s[5]);
      if (values === null) return null;
      read.set(name, { kind, values });
    } else if (kind === "f64" || kind === "i32") {
      const buffer = copied(body, s[3], count, kind === "f64" ? 8 : 4);
      if (buffer === null) return null;
      read.set(name, { kind, values: kind === "f64" ? new Float64Array(buffer) : new Int32Array(buffer) });
    } else {
      return null;
    }
  }
  return { head, sections: read };
};

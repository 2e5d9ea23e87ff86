/**
 * GRUB's environment block (`grubenv`): a 1024-byte file, `# GRUB Environment Block` then one
 * `name=value` line per variable (`\` escapes a backslash or a newline) and `#` padding to the
 * full size, read with `load_env` and written in place with `save_env` by GRUB, and by
 * `grub-editenv` from the running system. A trial boot keeps its state here (greenboot's design):
 * the generation on trial, the attempts it has left, and whether it was blessed. Other variables
 * (`saved_entry`, `next_entry`…) are kept as they are.
 */
import * as E from "fp-ts/lib/Either.js";

export const SIZE = 1024;
const SIGNATURE = "# GRUB Environment Block\n";
/** The GRUB script counts attempts down with one comparison per value. */
export const MAX_TRIES = 9;

export const Vars = {
  /** The generation number on trial. */
  trial: "switchyard_trial",
  /** Attempts left; each boot of the trial spends one before it starts. */
  tries: "switchyard_tries",
  /** "1" once `switchyard bless` accepted it: boot it without counting. */
  blessed: "switchyard_blessed",
} as const;

export type Env = ReadonlyArray<readonly [string, string]>;

export const parse = (text: string, file: string): E.Either<string, Env> => {
  if (!text.startsWith(SIGNATURE)) return E.left(`${file} is not a GRUB environment block (no '# GRUB Environment Block' line); recreate it with 'grub-editenv ${file} create'`);
  const vars: Array<readonly [string, string]> = [];
  let i = SIGNATURE.length;
  while (i < text.length) {
    if (text[i] === "#") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    let name = "";
    while (i < text.length && text[i] !== "=" && text[i] !== "\n") name += text[i++];
    if (text[i] !== "=") {
      i++;
      continue;
    }
    i++;
    let value = "";
    while (i < text.length && text[i] !== "\n") {
      if (text[i] === "\\" && i + 1 < text.length) i++;
      value += text[i++];
    }
    i++;
    vars.push([name, value]);
  }
  return E.right(vars);
};

export const get = (env: Env, name: string): string | null => env.find(([n]) => n === name)?.[1] ?? null;

/** `env` with `changes` applied in place (null removes); new variables are appended. */
export const update = (env: Env, changes: Readonly<Record<string, string | null>>): Env => {
  const out: Array<readonly [string, string]> = [];
  const done = new Set<string>();
  for (const [name, value] of env) {
    if (!(name in changes)) out.push([name, value]);
    else if (!done.has(name)) {
      done.add(name);
      const next = changes[name];
      if (next !== null && next !== undefined) out.push([name, next]);
    }
  }
  for (const [name, value] of Object.entries(changes)) if (!done.has(name) && value !== null) out.push([name, value]);
  return out;
};

const escape = (value: string): string => value.replace(/[\\\n]/g, (c) => `\\${c}`);

/** The block padded to exactly 1024 bytes, or why the variables do not fit. */
export const render = (env: Env, file: string): E.Either<string, string> => {
  const body = SIGNATURE + env.map(([n, value]) => `${n}=${escape(value)}\n`).join("");
  const size = utf8Length(body);
  if (size > SIZE) return E.left(`${file}: the variables take ${size} bytes, more than the ${SIZE} of a GRUB environment block; unset some with 'grub-editenv ${file} unset NAME'`);
  return E.right(body + "#".repeat(SIZE - size));
};

/** The block's variables are ASCII in practice, but a size must count bytes. */
const utf8Length = (s: string): number => {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
};

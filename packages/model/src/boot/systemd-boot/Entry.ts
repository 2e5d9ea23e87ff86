/**
 * Boot Loader Specification Type #1 entries, one per generation, in `loader/entries/` of the ESP:
 * `switchyard-N.conf`, or `switchyard-N+LEFT[-DONE].conf` while the generation is on trial
 * (systemd's automatic boot assessment: the loader renames the file before every attempt, and an
 * entry with no tries left sorts after all others). The entry id, which `loader.conf`'s `default`
 * matches, is the name without the counter, so it stays the same while the loader counts.
 *
 * `sort-key` orders the menu: rank 0 for the entry that boots (the default, or the trial), rank 1
 * for the fallback during a trial, rank 2 for the rest, newest first by `version`.
 */
import { fnv1a64 } from "../../internal/Hash.js";
import * as GenerationNumber from "../../world/GenerationNumber.js";
import type * as Menu from "../Menu.js";

export const PREFIX = "switchyard-";
/** The `default` of loader.conf during a trial: the first entry in sort order that still has tries. */
export const ANY = `${PREFIX}*.conf`;

export type Rank = 0 | 1 | 2;

export interface Counter {
  readonly left: number;
  readonly done: number | null;
}

export interface Name {
  readonly number: GenerationNumber.GenerationNumber;
  readonly counter: Counter | null;
}

const NAME = /^switchyard-([0-9]+)(?:\+([0-9]+)(?:-([0-9]+))?)?\.conf$/;

export const parseName = (file: string): Name | null => {
  const m = NAME.exec(file);
  if (m === null) return null;
  const n = GenerationNumber.parse(m[1] as string);
  if (n._tag === "None") return null;
  const counter = m[2] === undefined ? null : { left: Number(m[2]), done: m[3] === undefined ? null : Number(m[3]) };
  return { number: n.value, counter };
};

export const fileName = (name: Name): string => {
  const c = name.counter;
  return `${id(name.number).slice(0, -".conf".length)}${c === null ? "" : `+${c.left}${c.done === null ? "" : `-${c.done}`}`}.conf`;
};

/** What `default` names: the file name without its counter. */
export const id = (n: number): string => `${PREFIX}${n}.conf`;

export const sortKey = (rank: Rank): string => `switchyard-${rank}`;

/** The rank an entry's text declares, or null. */
export const rankOf = (content: string | null): Rank | null => {
  const m = content === null ? null : /^sort-key[ \t]+switchyard-([012])[ \t]*$/m.exec(content);
  return m === null || m === undefined ? null : (Number(m[1]) as Rank);
};

/** Where a kernel or initrd is copied on the ESP: named by its store path, which never changes content. */
export const installedName = (source: string): string => {
  const base = source.slice(source.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64);
  return `${fnv1a64(source)}-${base === "" ? "file" : base}`;
};

// A BLS value is the rest of its line: every control character would end or corrupt it.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const oneLine = (text: string): string => text.replace(CONTROL, " ").trim();

/** A kernel parameter as the kernel's command-line parser reads it: spaces only inside double quotes. */
const param = (p: string): string => {
  const clean = oneLine(p).replace(/"/g, "");
  if (!/\s/.test(clean)) return clean;
  const eq = clean.indexOf("=");
  return eq < 0 ? `"${clean}"` : `${clean.slice(0, eq)}="${clean.slice(eq + 1)}"`;
};

/** The entry's text; `files` is where the kernel and initrd sit on the ESP (`/EFI/switchyard/…`). */
export const content = (entry: Menu.Entry, rank: Rank, files: { readonly linux: string; readonly initrd: string | null }): string =>
  [
    `title ${oneLine(entry.title)}`,
    `version Generation ${entry.number}`,
    `linux ${files.linux}`,
    ...(files.initrd === null ? [] : [`initrd ${files.initrd}`]),
    `options ${entry.params.map(param).join(" ")}`,
    `sort-key ${sortKey(rank)}`,
    "",
  ].join("\n");

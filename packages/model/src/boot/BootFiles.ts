/**
 * The files a bootloader owns, as data: what the interpreter observed of them, and the operations
 * a bootloader asks for to bring them where a menu wants them. Operations are listed in the order
 * they must be carried out (each one durable before the next), which is how a bootloader says what
 * a crash may see: systemd-boot writes its entries before `loader.conf`, GRUB arms a trial last.
 */
import type { InRootPath } from "../paths/InRootPath.js";

/** What to observe: one text file, every file of a directory with its text, or only the names in it. */
export type Watch =
  | { readonly _tag: "File"; readonly path: InRootPath }
  | { readonly _tag: "Texts"; readonly directory: InRootPath }
  | { readonly _tag: "Names"; readonly directory: InRootPath };

export interface Observed {
  /** In-root path → text; null for a file whose bytes are not read (a kernel on the ESP). Absent files are absent. */
  readonly files: Readonly<Record<string, string | null>>;
}

export const empty: Observed = { files: {} };

export type FileOp =
  /** Copy `source` (a kernel or initrd) to `path` unless something is there already: names are content addresses. */
  | { readonly _tag: "Install"; readonly source: InRootPath; readonly path: InRootPath }
  | { readonly _tag: "Write"; readonly path: InRootPath; readonly content: string }
  /** One atomic rename: how boot counters and blessings change, as systemd-boot itself does. */
  | { readonly _tag: "Rename"; readonly from: InRootPath; readonly path: InRootPath }
  | { readonly _tag: "Remove"; readonly path: InRootPath };

export const text = (observed: Observed, path: string): string | null => observed.files[path] ?? null;

export const has = (observed: Observed, path: string): boolean => Object.prototype.hasOwnProperty.call(observed.files, path);

/** The paths directly inside `directory`, sorted. */
export const inside = (observed: Observed, directory: string): ReadonlyArray<string> =>
  Object.keys(observed.files)
    .filter((p) => p.startsWith(`${directory}/`) && !p.slice(directory.length + 1).includes("/"))
    .sort();

/** What the files look like after `ops`: lets one plan build on the effect of its own earlier steps. */
export const after = (observed: Observed, ops: ReadonlyArray<FileOp>): Observed => {
  const files: Record<string, string | null> = { ...observed.files };
  for (const op of ops) {
    switch (op._tag) {
      case "Install":
        if (!(op.path in files)) files[op.path] = null;
        break;
      case "Write":
        files[op.path] = op.content;
        break;
      case "Rename":
        if (op.from in files) {
          files[op.path] = files[op.from] ?? null;
          delete files[op.from];
        }
        break;
      case "Remove":
        delete files[op.path];
        break;
    }
  }
  return { files };
};

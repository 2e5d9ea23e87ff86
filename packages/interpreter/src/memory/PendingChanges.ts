/**
 * The pending changes of `MemoryFileSystem` and what a crash keeps of them. Kept apart from the
 * service so the replay rule reads in one place (the model is documented in MemoryFileSystem.ts).
 */
import * as MemoryTree from "./MemoryTree.js";

export interface Pending {
  readonly change: MemoryTree.Change;
  /** Inodes of the directories still to flush before the entry change survives a crash. */
  readonly dirs: Set<number>;
  /** Inode still to fsync before the bytes of a writeNewFile survive. */
  content: number | null;
}

export const isDurable = (record: Pending): boolean => record.dirs.size === 0 && record.content === null;

/** fsync of inode `ino` (a file, or a directory: same syscall). */
export const flush = (journal: ReadonlyArray<Pending>, ino: number): void => {
  for (const record of journal) {
    record.dirs.delete(ino);
    if (record.content === ino) record.content = null;
    // An inode's own mtime is flushed with the inode, as well as with its parent directory.
    if (record.change._tag === "Touch" && record.change.ino === ino) record.dirs.clear();
  }
};

/** What survives of a pending change that is not kept: a durable entry whose bytes are not. */
const survivor = (record: Pending): MemoryTree.Change | null =>
  record.change._tag === "Create" && record.dirs.size === 0 ? { ...record.change, content: new Uint8Array() } : null;

/** The tree after power loss: `durable`, then in order every durable change and the first `keep` pending ones. */
export const replay = (durable: MemoryTree.Tree, journal: ReadonlyArray<Pending>, keep: number): MemoryTree.Tree => {
  const tree = new Map(durable);
  let pendingSeen = 0;
  for (const record of journal) {
    let change: MemoryTree.Change | null = record.change;
    if (!isDurable(record)) {
      pendingSeen += 1;
      if (pendingSeen > keep) change = survivor(record);
    }
    if (change !== null) MemoryTree.apply(tree, change); // skipped when its precondition fails
  }
  return tree;
};

/**
 * The closest known name to a misspelt one, for "did you mean" in decoding errors
 * (`restartIfChanges` → `restartIfChanged`). The same measure as the command line's suggestions:
 * optimal string alignment distance (adjacent swaps count as one edit, so `lsit` is one step from
 * `list`), offered only within a third of the word's length: a far-off suggestion misleads. It
 * imports nothing, so the command line's parser uses it (`@switchyard/model/nearest`) without
 * loading the rest of the model.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export const distance = (a: string, b: string): number => {
  const width = b.length + 1;
  const d = new Uint32Array((a.length + 1) * width);
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) {
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        d[i * width + j] = i + j;
        continue;
      }
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
};

export const closest = (word: string, candidates: Iterable<string>): string | null => {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
};

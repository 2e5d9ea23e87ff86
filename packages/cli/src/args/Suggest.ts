/**
 * "Did you mean …?": the closest known name to a misspelt one, by edit distance (adjacent swaps
 * count as one edit, so `lsit` is one step from `list`). Only close matches are offered: a
 * suggestion that is far off misleads more than it helps.
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

/** The nearest candidate within a third of the word's length (at least one edit), or null; ties go to the first. */
export const closest = (word: string, candidates: ReadonlyArray<string>): string | null => {
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

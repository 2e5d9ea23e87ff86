/**
 * Standard output in pieces of about 64 KiB: a listing of 10,000 generations is megabytes of text,
 * which as one string, then one buffer, stays alive (and is copied by the collector) until it is
 * written. Each piece is written as soon as it is full.
 */
export interface Pieces {
  readonly emit: (text: string) => void;
  /** Write what is left. */
  readonly end: () => void;
}

const PIECE = 65_536;

export const toStdout = (): Pieces => {
  let piece = "";
  return {
    emit: (text) => {
      piece += text;
      if (piece.length >= PIECE) {
        process.stdout.write(piece);
        piece = "";
      }
    },
    end: () => {
      if (piece !== "") process.stdout.write(piece);
      piece = "";
    },
  };
};

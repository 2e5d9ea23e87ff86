/**
 * Files and links that may be absent by design (a choices record, pins, a pending confirmation, the
 * migration graph, the config): NotFound is an answer, null, and every other failure stays an error.
 */
import { Effect } from "effect";
import { FileSystem, type FsError } from "./FileSystem.js";

/** `effect`'s value, or null when what it reads is not there. */
export const orNull = <A, R>(effect: Effect.Effect<A, FsError, R>): Effect.Effect<A | null, FsError, R> =>
  effect.pipe(
    Effect.map((a): A | null => a),
    Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(null)),
  );

/** The bytes of `file`, or null when there is none; any other failure becomes `onError`'s error. */
export const readFile = <E>(file: string, onError: (e: FsError) => E): Effect.Effect<Uint8Array | null, E, FileSystem> =>
  Effect.flatMap(FileSystem, (fs) => orNull(fs.readFile(file)).pipe(Effect.mapError(onError)));

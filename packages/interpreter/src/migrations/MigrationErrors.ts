/** The failures of migration graphs, which the CLI reports with their own exit codes. */
import { Data } from "effect";

/** A graph is under way: the machine moves only along it (exit 7). */
export class MigrationsPending extends Data.TaggedError("MigrationsPending")<{
  readonly message: string;
}> {}

/** `migrations/graph.json` cannot be read or makes no sense: it is left untouched, never guessed at. */
export class MigrationsUnreadable extends Data.TaggedError("MigrationsUnreadable")<{
  readonly message: string;
}> {}

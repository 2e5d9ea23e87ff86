/** The documented exit codes (docs/cli.md). */
export const ExitCode = {
  Ok: 0,
  /** The operation failed, or nothing matched. */
  Failed: 1,
  /** Invalid input or usage. */
  Invalid: 2,
  /** A saved plan no longer matches the machine. */
  Stale: 3,
  /** Another apply holds the lock. */
  Locked: 4,
  /** An interrupted apply must be finished or reverted first: `switchyard recover`. */
  Interrupted: 5,
  /** A bug: something no error report covers (details with --debug). */
  Internal: 70,
  /** Cancelled at the confirmation prompt (Ctrl-C or end of input), as a shell reports SIGINT. */
  Cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

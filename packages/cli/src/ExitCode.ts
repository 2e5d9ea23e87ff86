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
  /** A check reported an error item that has no chosen resolution: `switchyard choices`, `switchyard choose`. */
  Unresolved: 6,
  /** A migration graph is under way; the machine moves only along it until it completes or is abandoned. */
  MigrationsPending: 7,
  /** A snapshot is damaged (a hash, a size or its metadata does not match) or is not the service's. */
  SnapshotDamaged: 8,
  /** A snapshot cannot be decrypted: no identity given, or not the identity it was encrypted to. */
  SnapshotIdentity: 9,
  /** The target cannot read a service's data and no snapshot or stepped path makes it readable. */
  StateUnreadable: 10,
  /** A pre-switch hook refused the switch; nothing was changed. */
  Vetoed: 11,
  /** A bug: something no error report covers (details with --debug). */
  Internal: 70,
  /** Stopped by SIGHUP (128 + 1), as a shell reports it. */
  Hangup: 129,
  /** Cancelled at the confirmation prompt (Ctrl-C or end of input), or stopped by SIGINT (128 + 2). */
  Cancelled: 130,
  /** Stopped by SIGTERM (128 + 15). */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code a shell gives a process that a signal ended: 128 + the signal's number. */
export const ofSignal = (signal: "SIGINT" | "SIGTERM" | "SIGHUP"): ExitCode =>
  signal === "SIGHUP" ? ExitCode.Hangup : signal === "SIGINT" ? ExitCode.Cancelled : ExitCode.Terminated;

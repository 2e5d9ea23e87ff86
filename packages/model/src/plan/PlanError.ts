/**
 * Why no plan could be made. Plain tagged data: the CLI turns `reason` into an exit code and prints
 * `message`, which names the thing and what to do about it.
 */
export type Reason =
  /** The user's input is wrong: a bad pattern or spec, an unknown generation, an invalid manifest. */
  | "Invalid"
  /** The input is fine but the operation cannot be done: nothing older to roll back to, nothing matched. */
  | "Failed"
  /** The target cannot read a service's data, and no snapshot or stepped path makes it readable. */
  | "StateUnreadable"
  /** The snapshot asked for is damaged (its metadata or members do not hold what they say). */
  | "SnapshotDamaged";

export interface PlanError {
  readonly _tag: "PlanError";
  readonly reason: Reason;
  readonly message: string;
}

export const invalid = (message: string): PlanError => ({ _tag: "PlanError", reason: "Invalid", message });
export const failed = (message: string): PlanError => ({ _tag: "PlanError", reason: "Failed", message });
export const stateUnreadable = (message: string): PlanError => ({ _tag: "PlanError", reason: "StateUnreadable", message });
export const snapshotDamaged = (message: string): PlanError => ({ _tag: "PlanError", reason: "SnapshotDamaged", message });

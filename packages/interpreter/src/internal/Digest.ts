/** Content digests for preconditions and saved plans. */

// Loaded on first use: most commands digest nothing, and loading node:crypto costs milliseconds.
let crypto: typeof import("node:crypto") | undefined;

export const sha256 = (data: Uint8Array | string): string =>
  (crypto ??= process.getBuiltinModule("node:crypto")).createHash("sha256").update(data).digest("hex");

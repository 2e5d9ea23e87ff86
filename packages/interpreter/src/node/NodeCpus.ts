/** How many migrations run at once by default: the number of CPUs the process may use. */
import * as os from "node:os";

export const cpuCount = (): number => Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);

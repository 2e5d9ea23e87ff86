/**
 * What the end-to-end tests under a real s6 tree share: running switchyard with
 * `--service-manager s6`, a root whose supervisor is started and whose generation 1 is up, and
 * stopping every supervisor a file started (by its recorded pid when switchyard cannot).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { cleanUp, type GenerationSpec, readText, run, type Result, tempRoot } from "./support.js";

export const S6 = ["--service-manager", "s6"] as const;
export const SCAN = "/run/switchyard/services";
export const hasS6 = spawnSync("s6-svscan", ["-h"], { stdio: "ignore" }).error === undefined;

export const sy = (root: string, ...args: ReadonlyArray<string>): Promise<Result> => run(root, ...S6, ...args);

/** Succeeds under s6, or fails the test showing what switchyard said. */
export const ok = async (root: string, ...args: ReadonlyArray<string>): Promise<Result> => {
  const r = await sy(root, ...args);
  expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
  return r;
};

/** The roots of one test file: each made with its supervisor running, all stopped by `stopAll`. */
export const supervisedRoots = () => {
  const roots: Array<string> = [];
  return {
    /**
     * Generations whose programs `install` writes, the supervisor started and generation 1 up.
     * `config` becomes the root's config file (e.g. a shorter `serviceSettleMs`).
     */
    make: async (generations: ReadonlyArray<GenerationSpec>, install: (root: string, n: number) => void, config?: unknown): Promise<string> => {
      const root = tempRoot({ generations, current: 1, running: 1, booted: 1, ...(config === undefined ? {} : { config }) });
      for (const g of generations) install(root, g.number);
      fs.mkdirSync(path.join(root, "var/log"), { recursive: true });
      roots.push(root);
      await ok(root, "supervisor", "start");
      await ok(root, "apply", "switch", "1", "--yes");
      return root;
    },
    /** A root started some other way, stopped with the others. */
    track: (root: string): void => void roots.push(root),
    stopAll: async (): Promise<void> => {
      for (const root of roots.splice(0)) {
        const r = await sy(root, "supervisor", "stop");
        const pid = readText(root, "/var/lib/switchyard/supervisor.pid");
        if (r.code !== 0 && pid !== null) {
          spawnSync("s6-svscanctl", ["-t", path.join(root, SCAN)]);
          try {
            process.kill(Number(pid.trim()), "SIGTERM");
          } catch {
            // Already gone.
          }
        }
      }
      cleanUp();
    },
  };
};

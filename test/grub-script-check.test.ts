/**
 * Rendered configs must parse as GRUB script: `grub-script-check` (Debian package grub-common) runs
 * GRUB's own lexer and parser over them. A missing checker fails the suite instead of skipping it,
 * so a CI image without grub-common cannot silently stop checking the files we boot from.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as BootConfig from "../packages/model/src/boot/BootConfig.js";
import * as GenerationNumber from "../packages/model/src/world/GenerationNumber.js";
import * as Worlds from "./support/worlds.js";

const CANDIDATES = ["/usr/bin/grub-script-check", "/usr/sbin/grub-script-check", "/bin/grub-script-check", "/sbin/grub-script-check"];

const findChecker = (): string | undefined => {
  const onPath = (process.env["PATH"] ?? "").split(path.delimiter).filter((d) => d !== "").map((d) => path.join(d, "grub-script-check"));
  return [...onPath, ...CANDIDATES].find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
};

const checker = (): string => {
  const found = findChecker();
  if (found === undefined) {
    throw new Error("grub-script-check not found: install grub-common (apt-get install grub-common); CI installs it and these tests must not be skipped");
  }
  return found;
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-grub-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const check = (name: string, content: string): { readonly status: number | null; readonly output: string } => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  const result = spawnSync(checker(), [file], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

const render = (world: Parameters<typeof BootConfig.render>[0], def: number): string => {
  const result = BootConfig.render(world, GenerationNumber.unsafe(def));
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right.content;
};

const expectValid = (name: string, content: string): void => {
  const { status, output } = check(name, content);
  expect(output).toBe("");
  expect(status).toBe(0);
};

describe("grub-script-check", () => {
  it("rejects a broken file, so a pass below means something", () => {
    const { status, output } = check("broken.cfg", "set default=0\nmenuentry 'unclosed' --id x {\n\tlinux /kernel\n");
    expect(status).not.toBe(0);
    expect(output).toMatch(/syntax error/i);
  });

  it("rejects a label that was pasted in unquoted", () => {
    const { status } = check("unquoted.cfg", "menuentry It's { \n\tlinux /kernel\n}\n");
    expect(status).not.toBe(0);
  });

  it("accepts several generations with a default in the middle", () => {
    const world = Worlds.world(
      Array.from({ length: 12 }, (_, i) => ({ number: i + 1, label: `Switchyard 1.${i}`, boot: { params: ["quiet", "console=ttyS0,115200"] } })),
    );
    expectValid("several.cfg", render(world, 6));
  });

  it("accepts odd labels with quotes, GRUB syntax and control characters", () => {
    const labels = [
      `It's "quoted"`,
      "'",
      "''''",
      "\\'\\",
      "$HOME ${root} $(x) `id`",
      "braces { } and; semicolons | & < >",
      "new\nline\r\tand tab",
      "# not a comment",
      "ünïcødé ☃ 日本語",
      "trailing backslash \\",
    ];
    const world = Worlds.world(labels.map((label, i) => ({ number: i + 1, label })));
    expectValid("labels.cfg", render(world, 3));
  });

  it("accepts params and paths with spaces, quotes and dollars", () => {
    const world = Worlds.world([
      { number: 1, system: "/store/my system", boot: { params: ["foo=a b", "x='y'", `"dq"`, "$var", "", "a;b", "{}", "tab\there"] } },
      { number: 2, system: "/store/it's", boot: { kernel: "/boot/vmlinuz it's", initrd: "/boot/initrd $x" } },
    ]);
    expectValid("params.cfg", render(world, 1));
  });

  it("accepts a lone generation with no initrd and no params", () => {
    const world = Worlds.world([{ number: 1, label: "x", boot: { initrd: null, params: [] } }], { settings: { timeout: 0 } });
    expectValid("single.cfg", render(world, 1));
  });

  it("accepts a menu where every other generation is skipped", () => {
    const world = Worlds.world([{ number: 1, invalid: "broken" }, { number: 2 }, { number: 3, invalid: "broken" }]);
    expectValid("skipped.cfg", render(world, 2));
  });
});

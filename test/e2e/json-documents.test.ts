/**
 * The `--json` documents of `describe` and `recover` have exactly the fields docs/cli.md gives
 * them: every field the binary prints is named in its command's section, and every field the
 * section names after `--json` is printed. The names are read from the document itself (the
 * `"name"` and `` `name` `` words of the section), so an undocumented field or a documented one
 * that went missing fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanUp, ok, REPO, type ServiceSpec, tempRoot } from "./support.js";

const CLI_DOC = fs.readFileSync(path.join(REPO, "docs/cli.md"), "utf8");

/** The text of the `### \`COMMAND…` section, up to the next heading. */
const section = (command: string): string => {
  const start = CLI_DOC.indexOf(`### \`${command}`);
  if (start < 0) throw new Error(`docs/cli.md has no section for ${command}`);
  const end = CLI_DOC.indexOf("\n#", start + 1);
  return CLI_DOC.slice(start, end < 0 ? undefined : end);
};

/** The field names a piece of the document gives: `"name"` and `` `name` `` words, leaving out values (`"action": "nothing"|"finished"`). */
const namesIn = (text: string): ReadonlySet<string> =>
  new Set([...text.replace(/:\s*"[^"]*"(\|"[^"]*")*/g, "").matchAll(/["`]([A-Za-z][A-Za-z0-9]*)["`]/g)].map((m) => m[1] as string));

/** What the section says after `--json`: (its first `--json`, up to the end of the paragraph). */
const jsonPart = (command: string): string => {
  const text = section(command);
  const at = text.indexOf("`--json`:");
  if (at < 0) throw new Error(`the ${command} section does not describe --json`);
  const end = text.indexOf("\n\n", at);
  return text.slice(at + "`--json`:".length, end < 0 ? undefined : end);
};

const keysOf = (value: unknown): Array<string> => (typeof value === "object" && value !== null ? Object.keys(value) : []);

afterAll(() => cleanUp());

describe("describe --json", () => {
  const pinned = (v: string, extra: Record<string, unknown> = {}): ServiceSpec => ({ name: "pinned", start: ["/bin/sleep", v], ...extra });

  it("prints the list fields and exactly the documented ones, restartDebt with its documented entry shape", { timeout: 60_000 }, async () => {
    // Switching to 2 leaves `pinned` on generation 1's code (restartIfChanged: false): one debt entry.
    const root = tempRoot({
      generations: [
        { number: 1, services: [pinned("1")] },
        { number: 2, services: [pinned("2", { restartIfChanged: false })] },
      ],
      current: 1,
      running: 1,
      booted: 1,
    });
    await ok(root, "apply", "switch", "2", "--yes");
    const doc = JSON.parse((await ok(root, "describe", "--json")).stdout) as Record<string, unknown>;
    const listFields = namesIn(jsonPart("list"));
    const documented = namesIn(jsonPart("describe"));
    for (const key of keysOf(doc)) expect(listFields.has(key) || documented.has(key), `describe --json prints '${key}', which docs/cli.md does not name`).toBe(true);
    for (const name of documented) {
      const printed = keysOf(doc).includes(name) || (doc.restartDebt as ReadonlyArray<unknown>).some((e) => keysOf(e).includes(name) || keysOf((e as Record<string, unknown>).runs).includes(name));
      expect(printed, `docs/cli.md names '${name}' for describe --json, which it does not print`).toBe(true);
    }
    const debt = doc.restartDebt as ReadonlyArray<Record<string, unknown>>;
    expect(debt.map((e) => e.service)).toEqual(["pinned"]);
    for (const entry of debt) {
      expect(keysOf(entry).sort()).toEqual(["bootId", "reason", "runs", "service", "wants"]);
      expect(keysOf(entry.runs).sort()).toEqual(["generation", "system"]);
      expect(keysOf(entry.wants).sort()).toEqual(["generation", "system"]);
      expect(entry.runs).toMatchObject({ generation: 1 });
      expect(entry.wants).toMatchObject({ generation: 2 });
    }
  });

  it("prints restartDebt as [] when nothing is owed", { timeout: 60_000 }, async () => {
    const root = tempRoot({ generations: [{ number: 1, services: [pinned("1")] }], current: 1, running: 1, booted: 1 });
    const doc = JSON.parse((await ok(root, "describe", "--json")).stdout) as Record<string, unknown>;
    expect(doc.restartDebt).toEqual([]);
  });
});

describe("recover --json", () => {
  it("prints exactly the fields docs/cli.md lists", { timeout: 60_000 }, async () => {
    const root = tempRoot({ generations: [{ number: 1 }], current: 1, running: 1, booted: 1 });
    const doc = JSON.parse((await ok(root, "recover", "--json")).stdout) as Record<string, unknown>;
    const documented = [...namesIn(jsonPart("recover").split("}")[0] as string)].sort();
    expect(documented.length).toBeGreaterThan(0);
    expect(keysOf(doc).sort()).toEqual(documented);
    expect(doc).toMatchObject({ action: "nothing", operation: null, from: null, to: null, cleaned: [] });
  });
});

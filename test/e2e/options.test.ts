/**
 * The command line as the option and command tables declare it: each command accepts exactly its
 * options, with checked values (ranges, choices); help is generated per command; misspellings get
 * a suggestion; `apply` asks only someone who can answer, and Ctrl-C or Ctrl-D at its prompt
 * cancels. Most cases are generated from the tables themselves, through the built binary.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Config, Menu, Request, Settings } from "@switchyard/model";
import { afterAll, describe, expect, it } from "vitest";
import * as Args from "../../packages/cli/src/args/Args.js";
import * as Choices from "../../packages/cli/src/args/Choices.js";
import * as Commands from "../../packages/cli/src/args/Commands.js";
import * as Options from "../../packages/cli/src/args/Options.js";
import * as Suggest from "../../packages/cli/src/args/Suggest.js";
import { hasPython, onTerminal } from "./pty-support.js";
import { PROFILE, REPO, cleanUp, readLink, run, runRaw, simpleRoot, treeHash, type Result } from "./support.js";

afterAll(cleanUp);

const Invalid = 2;

/** A value the option takes (the smallest, the first choice), as the words to write after it. */
const valueOf = (spec: Options.Spec): ReadonlyArray<string> => {
  switch (spec.kind._tag) {
    case "Flag":
      return [];
    case "Text":
      return ["x"];
    case "Whole":
      return [String(spec.kind.min)];
    case "Choice":
      return [spec.kind.choices[0] as string];
  }
};

/** Arguments each command accepts, so that only the option under test can be wrong. */
const ARGS: Readonly<Record<Commands.Name, ReadonlyArray<string>>> = {
  list: [],
  describe: [],
  diff: ["1"],
  add: ["/store/x"],
  plan: ["rollback"],
  apply: ["rollback"],
  check: ["rollback"],
  choose: ["a", "b"],
  choices: [],
  restart: ["web"],
  recover: [],
  confirm: [],
  migrations: [],
  status: [],
  supervisor: ["status"],
  bless: [],
  pin: ["1"],
  unpin: ["1"],
  snapshot: ["list"],
  completion: ["bash"],
  help: [],
};

const oneLine = (r: Result, head: string, message: string): void => {
  expect(r.code, r.stderr).toBe(Invalid);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toBe(`${head}: ${message}`);
};

describe.concurrent("each command takes exactly the options of its table", () => {
  const root = simpleRoot(2);
  const before = treeHash(root);
  const refused = Commands.COMMANDS.flatMap((c) => Options.OPTIONS.filter((o) => !Options.accepts(c.name, o)).map((o) => [c.name, o.name] as const));

  it("the cases a user reported: list --out, status --out, list --mode, apply --json", async () => {
    for (const [args, command, option] of [
      [["list", "--out", "x"], "list", "out"],
      [["status", "--out", "y"], "status", "out"],
      [["list", "--mode", "boot"], "list", "mode"],
      [["apply", "switch", "1", "--json", "--yes"], "apply", "json"],
    ] as const) {
      oneLine(await run(root, ...args), `switchyard ${command}`, `--${option} is not an option of ${command}; see 'switchyard help ${command}'`);
    }
  });

  it("every command refuses every option its table does not give it (the parser, for each pair)", () => {
    expect(refused.length).toBeGreaterThan(50);
    for (const [command, option] of refused) {
      const spec = Options.byName(option) as Options.Spec;
      expect(Args.parse([command, ...ARGS[command], `--${option}`, ...valueOf(spec)])).toEqual({
        _tag: "Invalid",
        command,
        message: `--${option} is not an option of ${command}; see 'switchyard help ${command}'`,
      });
    }
  });

  // Through the binary: one refused option per command.
  it.each(Commands.NAMES.map((name) => refused.find(([c]) => c === name) as readonly [Commands.Name, string]))("%s refuses --%s, naming the command", async (command, option) => {
    const spec = Options.byName(option) as Options.Spec;
    const r = await run(root, command, ...ARGS[command], `--${option}`, ...valueOf(spec));
    oneLine(r, `switchyard ${command}`, `--${option} is not an option of ${command}; see 'switchyard help ${command}'`);
  });

  it("every option a command's table gives it is accepted by the parser", () => {
    for (const c of Commands.COMMANDS) {
      for (const o of Options.of(c.name)) {
        // --plan and --debt stand instead of the arguments (apply --plan FILE, restart --debt).
        if (o.name === "plan" || o.name === "debt" || o.name === "help" || o.name === "version") continue;
        const outcome = Args.parse([c.name, ...ARGS[c.name], `--${o.name}`, ...valueOf(o)]);
        expect(outcome._tag, `${c.name} --${o.name}: ${JSON.stringify(outcome)}`).toBe(c.name === "help" ? "Help" : "Run");
      }
    }
  });

  it("nothing was changed by any refusal", () => {
    expect(treeHash(root)).toBe(before);
  });
});

describe.concurrent("numeric options have a range, checked before anything runs", () => {
  const root = simpleRoot(2);
  const whole = Options.OPTIONS.flatMap((o) => (o.kind._tag === "Whole" ? [{ spec: o, kind: o.kind }] : []));
  const cases = whole.flatMap(({ spec, kind }) =>
    [...(kind.min > 0 ? [String(kind.min - 1)] : []), String(kind.max + 1), "99999999999999999999", "-1", "1.5", "1e3", "0x10"].map((v) => [spec.name, v] as const),
  );

  const commandFor = (spec: Options.Spec) => Commands.COMMANDS.find((c) => Options.accepts(c.name, spec) && c.name !== "help") as Commands.Command;
  const message = (spec: Options.Spec, value: string, command: Commands.Name) => {
    const kind = spec.kind as Extract<Options.Kind, { _tag: "Whole" }>;
    return `--${spec.name} takes whole ${kind.unit} from ${kind.min} to ${kind.max}, not '${value}'; see 'switchyard help ${command}'`;
  };

  it("every value outside the range, or not a whole number, is refused naming the range (the parser)", () => {
    for (const [option, value] of cases) {
      const spec = Options.byName(option) as Options.Spec;
      const command = commandFor(spec).name;
      expect(Args.parse([command, ...ARGS[command], `--${option}`, value])).toEqual({ _tag: "Invalid", command, message: message(spec, value, command) });
    }
  });

  it.each(whole.map(({ spec, kind }) => [spec.name, String(kind.max + 1)] as const))("--%s %s is refused by the binary, exit 2", async (option, value) => {
    const spec = Options.byName(option) as Options.Spec;
    const command = commandFor(spec).name;
    oneLine(await run(root, command, ...ARGS[command], `--${option}`, value), `switchyard ${command}`, message(spec, value, command));
  });

  it("the bounds themselves are accepted", () => {
    for (const { spec, kind } of whole) {
      const command = commandFor(spec);
      for (const v of [kind.min, kind.max]) expect(Args.parse([command.name, ...ARGS[command.name], `--${spec.name}`, String(v)])._tag).toBe("Run");
    }
  });

  it("the largest activation timeout works (it used to overflow the timer and kill activation at once)", async () => {
    const r = await run(root, "apply", "switch", "1", "--activation-timeout", "86400", "--yes");
    expect(r.code, r.stderr).toBe(0);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
  });
});

describe("the tables agree with the model", () => {
  const choices = (name: string) => {
    const kind = Options.byName(name)?.kind;
    return kind?._tag === "Choice" ? kind.choices : null;
  };

  it("the choices are the model's enums, in their order", () => {
    expect(choices("bootloader")).toEqual(Settings.bootloaders);
    expect(choices("service-manager")).toEqual(Settings.serviceManagerKinds);
    expect(choices("mode")).toEqual(Request.modes);
    expect(choices("layout")).toEqual(Settings.layouts);
    expect(choices("services")).toEqual(Request.servicesPolicies);
  });

  it("the defaults the help shows are the ones the model applies", () => {
    const settings = Config.settings({}, {});
    if (settings._tag === "Left") throw new Error("the defaults do not decode");
    const services = settings;
    const shown = (name: string) => Options.byName(name)?.default;
    expect(shown("profile")).toBe(settings.right.profile);
    expect(shown("bootloader")).toBe(settings.right.bootloader);
    expect(shown("service-manager")).toBe(settings.right.serviceManager);
    expect(shown("scan-directory")).toBe(services.right.scanDirectory);
    expect(shown("service-timeout")).toBe(String(services.right.serviceTimeoutMs / 1000));
    expect(shown("service-settle-ms")).toBe(String(services.right.settleMs));
    expect(shown("esp")).toBe(settings.right.boot.esp);
  });

  it("--try's range is the attempts a trial can be given", () => {
    const kind = Options.byName("try")?.kind;
    expect(kind).toMatchObject({ _tag: "Whole", min: 1, max: Menu.MAX_ATTEMPTS });
    expect(Request.Attempts.is(Menu.MAX_ATTEMPTS) && !Request.Attempts.is(Menu.MAX_ATTEMPTS + 1) && !Request.Attempts.is(0)).toBe(true);
  });
});

describe("docs/cli.md documents the table", () => {
  const doc = fs.readFileSync(path.join(REPO, "docs/cli.md"), "utf8");
  // Cells split at the pipes that are not escaped (`grub\|none`).
  const cells = (line: string) => line.split(/(?<!\\)\|/).map((c) => c.trim());
  const rows = new Map(
    doc
      .split("\n")
      .map(cells)
      .flatMap(([, option, commands, value]) => {
        const name = /^`--([a-z-]+)/.exec(option ?? "")?.[1];
        return name === undefined ? [] : [[name, { commands: commands ?? "", value: value ?? "" }] as const];
      }),
  );

  it.each(Options.OPTIONS.map((o) => [o.name, o] as const))("--%s: its commands and its range", (name, spec) => {
    const row = rows.get(name);
    expect(row, `docs/cli.md has no row for --${name}`).toBeDefined();
    const commands = spec.commands === "every" ? ["every"] : [...spec.commands];
    expect(row?.commands.split(", ").sort()).toEqual(commands.sort());
    if (spec.kind._tag === "Whole") expect(row?.value).toContain(`whole ${spec.kind.unit}, ${spec.kind.min}–${spec.kind.max}`);
  });
});

describe.concurrent("help and version", () => {
  const version = (JSON.parse(fs.readFileSync(path.join(REPO, "packages/cli/package.json"), "utf8")) as { version: string }).version;

  it("--version and -V print the package's version, also after a command", async () => {
    for (const args of [["--version"], ["-V"], ["list", "--version"]]) {
      const r = await runRaw(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`switchyard ${version}\n`);
    }
  });

  it("--help, -h and 'help' print the overview, listing every command", async () => {
    const outputs = await Promise.all([["--help"], ["-h"], ["help"]].map((a) => runRaw(a)));
    for (const r of outputs) expect(r.code).toBe(0);
    expect(new Set(outputs.map((r) => r.stdout)).size).toBe(1);
    const text = outputs[0]?.stdout ?? "";
    expect(text).toMatch(new RegExp(`^switchyard ${version} — `));
    for (const c of Commands.COMMANDS) expect(text).toMatch(new RegExp(`^  ${c.name}\\b.*  ${c.summary.replace(/[()]/g, "\\$&")}$`, "m"));
  });

  it.each(Commands.NAMES)("'help %s', '%s --help' and '-h' print that command's usage, options and examples", async (name) => {
    const outputs = await Promise.all([["help", name], [name, "--help"], [name, ...ARGS[name], "-h"]].map((a) => runRaw(a)));
    for (const r of outputs) expect(r.code, r.stderr).toBe(0);
    expect(new Set(outputs.map((r) => r.stdout)).size).toBe(1);
    const text = outputs[0]?.stdout ?? "";
    expect(text.startsWith(`switchyard ${name} — `)).toBe(true);
    expect(text).toMatch(new RegExp(`^Usage:\\n  switchyard ${name}\\b`, "m"));
    // The options listed are exactly those of the table, nothing more.
    const listed = [...text.matchAll(/^ {2}(?:-[a-zA-Z], )?--([a-z-]+)/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Options.of(name).map((o) => o.name).sort());
    // Every example is a command line the parser accepts.
    const examples = [...text.matchAll(/^ {2}(switchyard .*)$/gm)].map((m) => m[1] as string).filter((l) => !l.endsWith("[OPTIONS]"));
    expect(examples.length).toBeGreaterThanOrEqual(1);
    expect(examples.length).toBeLessThanOrEqual(3);
    for (const e of examples) expect(Args.parse(e.split(" ").slice(1))._tag, e).not.toBe("Invalid");
  });

  it("help, version and usage errors load neither effect nor the model (but its import-free Nearest) nor the interpreter", () => {
    const dist = path.join(REPO, "packages/cli/dist");
    const statics = (file: string): ReadonlyArray<string> =>
      [...fs.readFileSync(file, "utf8").matchAll(/(?:^|[;}])\s*import\s*(?:\{[^}]*\}|\*\s*as\s+\w+|\w+)?\s*(?:from\s*)?"(\.[^"]+)"/g)].map((m) => path.resolve(path.dirname(file), m[1] as string));
    const seen = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const next of statics(file)) walk(next);
    };
    // The entry bundle is all that help, version and usage errors load; the commands are in launch.cjs.
    walk(path.join(dist, "switchyard.cjs"));
    const sources = [...seen].flatMap((f) => (JSON.parse(fs.readFileSync(`${f}.map`, "utf8")) as { sources: Array<string> }).sources);
    expect(sources.some((s) => s.includes("args/Args.ts"))).toBe(true);
    // The parser's "did you mean" is the model's one measure, a module that imports nothing.
    const heavy = sources.filter((s) => /node_modules\/(effect|fp-ts|io-ts)\/|packages\/(model|interpreter)\/|\.\.\/(model|interpreter)\/src\//.test(s));
    expect(heavy.filter((s) => !s.endsWith("model/src/internal/Nearest.ts"))).toEqual([]);
  });
});

describe.concurrent("did you mean", () => {
  it.each([
    [["lst"], "switchyard", "unknown command 'lst'; did you mean 'list'?"],
    [["stauts"], "switchyard", "unknown command 'stauts'; did you mean 'status'?"],
    [["frobnicate"], "switchyard", "unknown command 'frobnicate'; see 'switchyard --help'"],
    [["plan", "rollback", "--servce-manager", "s6"], "switchyard plan", "unknown option '--servce-manager'; did you mean '--service-manager'?"],
    [["list", "--jsno"], "switchyard list", "unknown option '--jsno'; did you mean '--json'?"],
    [["list", "--servce-manager", "s6"], "switchyard list", "unknown option '--servce-manager'; did you mean '--service-manager'?"],
    [["plan", "swich", "1"], "switchyard plan", "unknown operation 'swich'; did you mean 'switch'?"],
    [["plan", "rollback", "--mode", "tset"], "switchyard plan", "--mode must be one of switch, boot, test, try, not 'tset'; did you mean 'test'?"],
    [["help", "aply"], "switchyard help", "unknown command 'aply'; did you mean 'apply'?"],
  ])("switchyard %j", async (args, head, message) => {
    oneLine(await runRaw(args), head, message);
  });

  it("the distance counts a swap of neighbours as one edit, and far-off words get no suggestion", () => {
    expect(Suggest.distance("lsit", "list")).toBe(1);
    expect(Suggest.distance("servce-manager", "service-manager")).toBe(1);
    expect(Suggest.distance("", "abc")).toBe(3);
    expect(Suggest.closest("xyz", Commands.NAMES)).toBeNull();
    expect(Suggest.closest("stats", Commands.NAMES)).toBe("status");
  });
});

describe.concurrent("apply asks only someone who can answer", () => {
  it("without --yes and without a terminal it refuses: exit 2, nothing applied", async () => {
    const root = simpleRoot(2);
    const before = treeHash(root);
    const r = await run(root, "apply", "switch", "1");
    expect(r.code, r.stderr).toBe(Invalid);
    expect(r.stderr).toBe("switchyard apply: not on a terminal, nobody can confirm; use --yes to apply without asking\n");
    expect(treeHash(root)).toBe(before);
  });

  it("a plan with nothing to do needs no answer", async () => {
    const root = simpleRoot(2);
    expect((await run(root, "apply", "switch", "2", "--yes")).code).toBe(0);
    const r = await run(root, "apply", "switch", "2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Nothing to do.");
  });

  it.skipIf(!hasPython).each([
    ["Ctrl-C", "\u0003"],
    ["Ctrl-D", "\u0004"],
  ])("%s at the prompt cancels: exit 130, no internal error, nothing applied", async (_, keys) => {
    const root = simpleRoot(2);
    const before = treeHash(root);
    const r = await onTerminal(root, [["[y/N]", keys]], "apply", "switch", "1");
    expect(r.code, r.output).toBe(130);
    expect(r.output).toContain("switchyard: cancelled; nothing was applied");
    expect(r.output).not.toContain("internal error");
    expect(treeHash(root)).toBe(before);
  });

  it.skipIf(!hasPython)("answering n does nothing (exit 1), answering y applies", async () => {
    const root = simpleRoot(2);
    const before = treeHash(root);
    const no = await onTerminal(root, [["[y/N]", "n\r"]], "apply", "switch", "1");
    expect(no.code, no.output).toBe(1);
    expect(no.output).toContain("switchyard: not applied");
    expect(treeHash(root)).toBe(before);
    const yes = await onTerminal(root, [["[y/N]", "y\r"]], "apply", "switch", "1");
    expect(yes.code, yes.output).toBe(0);
    expect(readLink(root, PROFILE)).toBe("system-1-link");
  });
});

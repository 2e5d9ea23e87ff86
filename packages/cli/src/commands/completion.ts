/**
 * `switchyard completion bash|zsh|fish` prints a completion script; `completion generations` and
 * `completion services` print what the scripts complete (the generation numbers, the current
 * generation's service names), one per line. These run on every TAB, so they read the profile
 * directory and one manifest directly, without the machinery of the other commands, and print
 * nothing rather than an error: a completion must never get in the way of typing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as Args from "../args/Args.js";
import * as Bash from "../completion/Bash.js";
import * as Fish from "../completion/Fish.js";
import * as Zsh from "../completion/Zsh.js";
import * as Options from "../args/Options.js";
import { ExitCode } from "../ExitCode.js";

const CONFIG_FILE = "/etc/switchyard/config.json";

const quietly = <A>(f: () => A, otherwise: A): A => {
  try {
    return f();
  } catch {
    return otherwise;
  }
};

/** --profile, else the config file's `profile`, else the default. */
const profileOf = (args: Args.Parsed, root: string): string =>
  Args.option(args, "profile") ??
  quietly(() => {
    const p = (JSON.parse(fs.readFileSync(path.join(root, CONFIG_FILE), "utf8")) as { profile?: unknown }).profile;
    return typeof p === "string" ? p : null;
  }, null) ??
  (Options.byName("profile")?.default as string);

const generations = (root: string, profile: string): ReadonlyArray<string> => {
  const name = path.basename(profile);
  const link = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-([0-9]+)-link$`);
  const found = quietly(() => fs.readdirSync(path.join(root, path.dirname(profile))), []).flatMap((e) => link.exec(e)?.[1] ?? []);
  return found.map(Number).sort((a, b) => a - b).map(String);
};

const services = (root: string, profile: string): ReadonlyArray<string> =>
  quietly(() => {
    const host = path.join(root, profile);
    const generation = path.resolve(path.dirname(host), fs.readlinkSync(host));
    const system = fs.readlinkSync(generation);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, system, "manifest.json"), "utf8")) as { services?: ReadonlyArray<{ name?: unknown }> };
    return (manifest.services ?? []).flatMap((s) => (typeof s.name === "string" && /^[A-Za-z0-9@._-]+$/.test(s.name) ? [s.name] : [])).sort();
  }, []);

export const standalone = (args: Args.Parsed): number => {
  const what = args.positional[1];
  const root = path.resolve(Args.option(args, "root") ?? "/");
  const out =
    what === "bash"
      ? Bash.script()
      : what === "zsh"
        ? Zsh.script()
        : what === "fish"
          ? Fish.script()
          : `${(what === "services" ? services : generations)(root, profileOf(args, root)).join("\n")}\n`;
  process.stdout.write(out === "\n" ? "" : out);
  return ExitCode.Ok;
};

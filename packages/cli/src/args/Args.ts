/**
 * Command-line parsing, small and dependency-free so `switchyard --help` starts fast. Options may
 * appear anywhere; `-3`/`+2` are positional (they are generation specs), and `--` ends options.
 */
export interface Parsed {
  readonly positional: ReadonlyArray<string>;
  readonly options: ReadonlyMap<string, string | true>;
}

export class UsageError extends Error {}

const VALUED = new Set(["root", "profile", "bootloader", "service-manager", "services", "mode", "out", "plan", "activation-timeout", "wait-lock", "scan-directory", "service-timeout", "service-settle-ms", "esp", "try", "layout"]);
const FLAGS = new Set(["json", "yes", "debug", "help", "version", "bad"]);
const SHORT: Readonly<Record<string, string>> = { y: "yes", h: "help" };

export const parse = (argv: ReadonlyArray<string>): Parsed => {
  const positional: Array<string> = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (/^[+-][0-9]+$/.test(arg) || !arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith("--") ? arg.slice(2) : SHORT[arg.slice(1)];
    if (long === undefined) throw new UsageError(`unknown option '${arg}'; see 'switchyard --help'`);
    const eq = long.indexOf("=");
    const name = eq < 0 ? long : long.slice(0, eq);
    if (FLAGS.has(name)) {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
      options.set(name, true);
    } else if (VALUED.has(name)) {
      const value = eq >= 0 ? long.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`option '--${name}' needs a value`);
      options.set(name, value);
    } else throw new UsageError(`unknown option '--${name}'; see 'switchyard --help'`);
  }
  return { positional, options };
};

export const option = (p: Parsed, name: string): string | undefined => {
  const v = p.options.get(name);
  return typeof v === "string" ? v : undefined;
};

export const flag = (p: Parsed, name: string): boolean => p.options.get(name) === true;

export const oneOf = <T extends string>(p: Parsed, name: string, values: ReadonlyArray<T>): T | undefined => {
  const v = option(p, name);
  if (v === undefined) return undefined;
  if (!(values as ReadonlyArray<string>).includes(v)) throw new UsageError(`--${name} must be one of ${values.join(", ")}, not '${v}'`);
  return v as T;
};

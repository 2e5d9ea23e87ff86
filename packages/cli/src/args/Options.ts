/** Numeric options shared by the commands that apply plans. */
import * as Args from "./Args.js";

const seconds = (args: Args.Parsed, name: string, fallback: number, min: number): number => {
  const given = Args.option(args, name);
  if (given === undefined) return fallback;
  if (!/^[0-9]+$/.test(given) || Number(given) < min) throw new Args.UsageError(`--${name} takes whole seconds, not '${given}'`);
  return Number(given);
};

export const ACTIVATION_TIMEOUT_SECONDS = 300;

export const activationTimeoutMs = (args: Args.Parsed): number => seconds(args, "activation-timeout", ACTIVATION_TIMEOUT_SECONDS, 1) * 1000;

export const waitLockSeconds = (args: Args.Parsed): number => seconds(args, "wait-lock", 0, 0);

/**
 * `loader/loader.conf`: systemd-boot's own settings. Switchyard owns two of them, `default` and
 * `timeout` (kept across every regeneration from the config file, like GRUB's timeout); every other
 * line (`editor`, `console-mode`, comments…) is kept as it is. The `default` is an explicit entry
 * id, or during a trial the pattern that picks the first entry still bootable in sort order.
 */
export const DEFAULT = "default";
export const TIMEOUT = "timeout";

const keyOf = (line: string): string | null => {
  const m = /^[ \t]*([A-Za-z-]+)(?:[ \t]|$)/.exec(line);
  return m === null ? null : (m[1] as string);
};

/** The value of `key` (the rest of its last line, as systemd-boot reads it), or null. */
export const get = (text: string | null, key: string): string | null => {
  if (text === null) return null;
  let value: string | null = null;
  for (const line of text.split("\n")) if (keyOf(line) === key) value = line.replace(/^[ \t]*[A-Za-z-]+[ \t]*/, "").trim();
  return value;
};

/** -1 (wait for a choice) is systemd-boot's `menu-force`. */
export const timeoutValue = (seconds: number): string => (seconds < 0 ? "menu-force" : String(seconds));

/** `text` with our two settings set: in place where they were, appended when new; other lines kept. */
export const withSettings = (text: string | null, settings: { readonly default: string; readonly timeout: string }): string => {
  const ours: Record<string, string> = { [TIMEOUT]: settings.timeout, [DEFAULT]: settings.default };
  const kept: Array<string> = [];
  const placed = new Set<string>();
  for (const line of (text ?? "").split("\n")) {
    const key = keyOf(line);
    if (key !== null && key in ours) {
      if (!placed.has(key)) kept.push(`${key} ${ours[key] as string}`);
      placed.add(key);
    } else kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === "") kept.pop();
  const fresh = [TIMEOUT, DEFAULT].filter((k) => !placed.has(k)).map((k) => `${k} ${ours[k] as string}`);
  return `${[...kept, ...fresh].join("\n")}\n`;
};

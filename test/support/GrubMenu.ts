/**
 * Reads a grub.cfg the way GRUB would for the parts tests care about, independently of the code
 * that renders it: the `set default=` and `set timeout=` settings and every `menuentry` (title, id,
 * `linux` words, `initrd`), with the submenus it sits in. Words are GRUB script words: plain text,
 * or single-quoted (everything literal, `'\''` for a quote), or double-quoted with `\` escapes.
 * `defaultEntry` resolves the default the way GRUB does: a number counts top-level items (entries
 * and submenus) from 0, `N>M` descends into a submenu, anything else is an entry id or title.
 * Settings made inside `if … fi` (the trial-boot script, which acts only on a grubenv naming a
 * trial) are read as GRUB reads them with no trial pending: not taken. Trials are booted through
 * `loaders.bootGrub`, which runs the script.
 */
export interface MenuEntry {
  readonly title: string;
  readonly id: string | null;
  /** Titles of the submenus it is in, outermost first. */
  readonly submenus: ReadonlyArray<string>;
  /** The `linux` command's words after `linux`: the kernel, then its parameters. */
  readonly linux: ReadonlyArray<string>;
  readonly initrd: string | null;
}

interface Item {
  readonly kind: "entry" | "submenu";
  readonly title: string;
  readonly id: string | null;
  readonly entry?: MenuEntry;
  readonly items?: Array<Item>;
}

export interface Menu {
  readonly settings: Readonly<Record<string, string>>;
  /** Every entry, in the order GRUB shows them (submenus expanded in place). */
  readonly entries: ReadonlyArray<MenuEntry>;
  /** The entry GRUB boots without a choice, or null when `default` names none. */
  readonly defaultEntry: MenuEntry | null;
}

/** Split one line into GRUB words; throws on an unbalanced quote, which GRUB would refuse too. */
export const words = (line: string): ReadonlyArray<string> => {
  const out: Array<string> = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length || line[i] === "#") break;
    let word = "";
    while (i < line.length && line[i] !== " " && line[i] !== "\t") {
      const c = line[i] as string;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unbalanced ' in: ${line}`);
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\" && i + 1 < line.length) i++;
          word += line[i];
          i++;
        }
        if (i >= line.length) throw new Error(`unbalanced " in: ${line}`);
        i++;
      } else if (c === "\\" && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    out.push(word);
  }
  return out;
};

const idOf = (ws: ReadonlyArray<string>): string | null => {
  const at = ws.indexOf("--id");
  return at < 0 ? null : (ws[at + 1] ?? null);
};

export const read = (text: string): Menu => {
  const settings: Record<string, string> = {};
  const top: Array<Item> = [];
  const stack: Array<{ readonly items: Array<Item>; readonly title: string | null }> = [{ items: top, title: null }];
  let entry: { title: string; id: string | null; linux: ReadonlyArray<string>; initrd: string | null } | null = null;
  let conditional = 0;
  for (const line of text.split("\n")) {
    const ws = words(line);
    const [command, ...args] = ws;
    if (command === undefined) continue;
    if (entry === null && command === "if") conditional++;
    if (entry === null && command === "fi") {
      if (conditional === 0) throw new Error("'fi' closes no 'if'");
      conditional--;
      continue;
    }
    if (conditional > 0) {
      if (command === "menuentry" || command === "submenu") throw new Error(`a menu item inside 'if': ${line}`);
      continue;
    }
    if (entry !== null) {
      if (command === "}") {
        const submenus = stack.slice(1).map((s) => s.title as string);
        const done: MenuEntry = { ...entry, submenus };
        (stack[stack.length - 1] as (typeof stack)[number]).items.push({ kind: "entry", title: done.title, id: done.id, entry: done });
        entry = null;
      } else if (command === "linux") entry.linux = args;
      else if (command === "initrd") entry.initrd = args[0] ?? null;
      continue;
    }
    if (command === "set" && args.length === 1) {
      const [key, ...value] = (args[0] as string).split("=");
      settings[key as string] = value.join("=");
    } else if (command === "menuentry") {
      if (ws[ws.length - 1] !== "{") throw new Error(`menuentry without '{': ${line}`);
      entry = { title: args[0] ?? "", id: idOf(ws), linux: [], initrd: null };
    } else if (command === "submenu") {
      const items: Array<Item> = [];
      (stack[stack.length - 1] as (typeof stack)[number]).items.push({ kind: "submenu", title: args[0] ?? "", id: idOf(ws), items });
      stack.push({ items, title: args[0] ?? "" });
    } else if (command === "}") {
      if (stack.length === 1) throw new Error("'}' closes nothing");
      stack.pop();
    }
  }
  if (entry !== null || stack.length !== 1 || conditional !== 0) throw new Error("the menu ends inside an entry, a submenu or an 'if'");
  const flat: Array<MenuEntry> = [];
  const walk = (items: ReadonlyArray<Item>): void => {
    for (const item of items) {
      if (item.entry !== undefined) flat.push(item.entry);
      if (item.items !== undefined) walk(item.items);
    }
  };
  walk(top);
  return { settings, entries: flat, defaultEntry: resolveDefault(top, flat, settings["default"] ?? "0") };
};

const resolveDefault = (top: ReadonlyArray<Item>, flat: ReadonlyArray<MenuEntry>, value: string): MenuEntry | null => {
  if (/^[0-9]+(>[0-9]+)*$/.test(value)) {
    let items: ReadonlyArray<Item> = top;
    let item: Item | undefined;
    for (const index of value.split(">").map(Number)) {
      item = items[index];
      if (item === undefined) return null;
      items = item.items ?? [];
    }
    return item?.entry ?? null;
  }
  return flat.find((e) => e.id === value || e.title === value) ?? null;
};

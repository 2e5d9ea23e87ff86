/**
 * The fish completion script (`switchyard completion fish`): one `complete` line per command and per
 * option a command takes, with helper functions that find the command word on the line (skipping
 * options and their values) and ask the binary for generation numbers and service names.
 */
import * as Options from "../args/Options.js";
import * as Words from "./Words.js";

const q = Words.quoted;

const valueFlags = (value: Words.Value): string => {
  switch (value._tag) {
    case "Words":
      return `-x -a ${q(value.words.join(" "))}`;
    case "Directories":
      return "-x -a '(__fish_complete_directories)'";
    case "Files":
      return "-r -F";
    case "Nothing":
      return "-x";
  }
};

const positional = (e: Words.Entry): ReadonlyArray<string> => {
  const on = (condition: string, args: string) => `complete -c switchyard -n ${q(condition)} ${args}`;
  const is = `__switchyard_is ${e.names.join(" ")}`;
  const c = e.completes;
  if (typeof c === "object") return [on(`${is}; and __switchyard_nargs 0`, `-a ${q(c.words.join(" "))}`)];
  switch (c) {
    case "nothing":
      return [];
    case "generations":
      return [on(is, "-a '(__switchyard_list generations)'")];
    case "services":
      return [on(is, "-a '(__switchyard_list services)'")];
    case "directories":
      return [on(`${is}; and __switchyard_nargs 0`, "-a '(__fish_complete_directories)'")];
    case "commands":
      return [on(`${is}; and __switchyard_nargs 0`, `-a ${q(Words.commandNames().join(" "))}`)];
    case "operation":
      return [
        on(`${is}; and __switchyard_nargs 0`, "-a 'switch rollback delete'"),
        on(`${is}; and __switchyard_after switch`, "-a '(__switchyard_list generations)'"),
        on(`${is}; and __switchyard_after delete`, "-a 'old (__switchyard_list generations)'"),
      ];
  }
};

export const script = (): string => {
  const entries = Words.entries();
  const valued = Words.valued().flatMap(({ option }) => Words.flagsOf(option));
  const lines: Array<string> = [];
  for (const e of entries) for (const name of e.names) lines.push(`complete -c switchyard -n '__switchyard_is' -a ${name} -d ${q(e.summary)}`);
  for (const e of entries) lines.push(...positional(e));
  for (const spec of Options.OPTIONS) {
    const value = Words.valueOf(spec);
    const names = entries.filter((e) => Options.accepts(e.name, spec)).flatMap((e) => e.names);
    const condition = spec.commands === "every" ? "" : ` -n ${q(`__switchyard_is ${names.join(" ")}`)}`;
    lines.push(`complete -c switchyard${condition} -l ${spec.name}${spec.short === null ? "" : ` -s ${spec.short}`} ${value === null ? "" : `${valueFlags(value)} `}-d ${q(spec.help)}`);
  }
  return `# fish completion for switchyard, generated from its command and option tables.
# Load it with: switchyard completion fish | source; or save it as ~/.config/fish/completions/switchyard.fish

# The words on the line that are not options or option values: the command, then its arguments.
function __switchyard_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if contains -- $t ${valued.join(" ")}
            set skip 1
        else if string match -qr -- '^[-+][0-9]+$' $t
            echo $t
        else if not string match -q -- '-*' $t
            echo $t
        end
    end
end

# With no argument: no command yet. Otherwise: the command is one of these.
function __switchyard_is
    set -l words (__switchyard_words)
    if test (count $argv) -eq 0
        test (count $words) -eq 0
        return
    end
    test (count $words) -ge 1; and contains -- $words[1] $argv
end

# Exactly N words after the command.
function __switchyard_nargs
    set -l words (__switchyard_words)
    test (count $words) -eq (math $argv[1] + 1)
end

# The operation is $argv[1] and its argument is being completed.
function __switchyard_after
    set -l words (__switchyard_words)
    test (count $words) -eq 2; and test $words[2] = $argv[1]
end

# Generation numbers or service names of the machine the line is about (its --root and --profile).
function __switchyard_list
    set -l tokens (commandline -opc)
    set -l machine
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --root --profile
                set -l next (math $i + 1)
                if test $next -le (count $tokens)
                    set -a machine $tokens[$i] $tokens[$next]
                end
            case '--root=*' '--profile=*'
                set -a machine $tokens[$i]
        end
    end
    $tokens[1] $machine completion $argv[1] 2>/dev/null
end

complete -c switchyard -f
${lines.join("\n")}
`;
};

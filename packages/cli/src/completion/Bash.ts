/**
 * The bash completion script (`switchyard completion bash`): one function, `_switchyard`, that
 * finds the command word (skipping options and their values), completes an option's value after
 * it, the command's options after `-`, and otherwise the command's words; generation numbers and
 * service names come from the binary itself, for the root and profile on the line.
 */
import * as Words from "./Words.js";

const list = (words: ReadonlyArray<string>): string => words.join(" ");

const positional = (e: Words.Entry): string => {
  const c = e.completes;
  if (typeof c === "object") return `_switchyard_words ${Words.quoted(list(c.words))}`;
  switch (c) {
    case "nothing":
      return "return 0";
    case "generations":
      return "_switchyard_words \"$(_switchyard_list generations)\"";
    case "services":
      return "_switchyard_words \"$(_switchyard_list services)\"";
    case "directories":
      return "COMPREPLY=($(compgen -d -- \"$cur\"))";
    case "commands":
      return `_switchyard_words ${Words.quoted(list(Words.commandNames()))}`;
    case "operation":
      return [
        'case "${args[0]:-}" in',
        `      "") _switchyard_words 'switch rollback delete' ;;`,
        '      switch) [ "${#args[@]}" -eq 1 ] && _switchyard_words "$(_switchyard_list generations)" ;;',
        '      delete) [ "${#args[@]}" -eq 1 ] && _switchyard_words "old $(_switchyard_list generations)" ;;',
        "    esac",
      ].join("\n");
  }
};

export const script = (): string => {
  const entries = Words.entries();
  const valued = Words.valued();
  const valueCase = valued
    .map(({ option, value }) => {
      const pattern = Words.flagsOf(option).join("|");
      const action =
        value._tag === "Words"
          ? `_switchyard_words ${Words.quoted(list(value.words))}`
          : value._tag === "Directories"
            ? 'COMPREPLY=($(compgen -d -- "$cur"))'
            : value._tag === "Files"
              ? 'COMPREPLY=($(compgen -f -- "$cur"))'
              : ":";
      return `    ${pattern}) ${action}; return 0 ;;`;
    })
    .join("\n");
  const valuedPattern = valued.flatMap(({ option }) => Words.flagsOf(option)).join("|");
  const machine = Words.MACHINE_OPTIONS.map((o) => `--${o}`).join("|");
  const optionCase = entries.map((e) => `    ${e.names.join("|")}) _switchyard_words ${Words.quoted(list(e.flags))} ;;`).join("\n");
  const wordCase = entries.map((e) => `    ${e.names.join("|")})\n    ${positional(e)}\n    ;;`).join("\n");
  const every = Words.entries().find((e) => e.name === "help")?.flags ?? [];
  return `# bash completion for switchyard, generated from its command and option tables.
# Load it with: source <(switchyard completion bash)

_switchyard_words() {
  local IFS=$' \\t\\n'
  COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# Generation numbers or service names of the machine the line is about (its --root and --profile).
_switchyard_list() {
  "\${COMP_WORDS[0]}" "\${machine[@]}" completion "$1" 2>/dev/null
}

_switchyard() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" skip=0 i w v
  local -a args=() machine=()
  # --name=value: bash splits at '=', so the option is two words back.
  if [ "$cur" = "=" ]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; cur=""
  elif [ "$prev" = "=" ]; then prev="\${COMP_WORDS[COMP_CWORD-2]}"
  fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [ "$skip" -gt 0 ]; then skip=$((skip - 1)); continue; fi
    case "$w" in
      ${valuedPattern})
        if [ "\${COMP_WORDS[i+1]:-}" = "=" ]; then skip=2; v="\${COMP_WORDS[i+2]:-}"; else skip=1; v="\${COMP_WORDS[i+1]:-}"; fi
        case "$w" in ${machine}) machine+=("$w" "$v") ;; esac ;;
      -[0-9]*|+[0-9]*) args+=("$w") ;;
      -?*) ;;
      *) if [ -z "$cmd" ]; then cmd="$w"; else args+=("$w"); fi ;;
    esac
  done
  case "$prev" in
${valueCase}
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
${optionCase}
    *) _switchyard_words ${Words.quoted(list(every))} ;;
    esac
    return 0
  fi
  case "$cmd" in
    "") _switchyard_words ${Words.quoted(list(Words.commandNames()))} ;;
${wordCase}
  esac
  return 0
}

complete -F _switchyard switchyard
`;
};

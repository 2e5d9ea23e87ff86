/**
 * The zsh completion script (`switchyard completion zsh`): the same decisions as the bash script
 * (Bash.ts) written for zsh's completion system, so it works sourced or installed as `_switchyard`
 * in a directory of $fpath.
 */
import * as Words from "./Words.js";

const add = (words: ReadonlyArray<string>): string => `compadd -- ${words.map(Words.quoted).join(" ")}`;

const positional = (e: Words.Entry): string => {
  const c = e.completes;
  if (typeof c === "object") return add(c.words);
  switch (c) {
    case "nothing":
      return "return 0";
    case "generations":
      return "_switchyard_list generations";
    case "services":
      return "_switchyard_list services";
    case "directories":
      return "_files -/";
    case "commands":
      return add(Words.commandNames());
    case "operation":
      return [
        "case ${args[1]:-} in",
        "      ('') compadd -- switch rollback delete ;;",
        "      (switch) (( ${#args} == 1 )) && _switchyard_list generations ;;",
        "      (delete) (( ${#args} == 1 )) && { compadd -- old; _switchyard_list generations } ;;",
        "    esac",
      ].join("\n");
  }
};

export const script = (): string => {
  const entries = Words.entries();
  const valued = Words.valued();
  const valuedPattern = valued.flatMap(({ option }) => Words.flagsOf(option)).join("|");
  const machine = Words.MACHINE_OPTIONS.map((o) => `--${o}`).join("|");
  const valueCase = valued
    .map(({ option, value }) => {
      const action = value._tag === "Words" ? add(value.words) : value._tag === "Directories" ? "_files -/" : value._tag === "Files" ? "_files" : ":";
      return `    (${Words.flagsOf(option).join("|")}) ${action}; return 0 ;;`;
    })
    .join("\n");
  const every = entries.find((e) => e.name === "help")?.flags ?? [];
  const optionCase = entries.map((e) => `      (${e.names.join("|")}) ${add(e.flags)} ;;`).join("\n");
  const wordCase = entries.map((e) => `    (${e.names.join("|")})\n    ${positional(e)}\n    ;;`).join("\n");
  return `#compdef switchyard
# zsh completion for switchyard, generated from its command and option tables.
# Load it with: source <(switchyard completion zsh); or save it as _switchyard in a directory of $fpath.

# Generation numbers or service names of the machine the line is about (its --root and --profile).
_switchyard_list() {
  local -a found
  found=(\${(f)"$(\${words[1]} \${machine[@]} completion $1 2>/dev/null)"})
  (( \${#found} )) && compadd -- \${found[@]}
}

_switchyard() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd= w
  local -i i skip=0
  local -a args machine
  for (( i = 2; i < CURRENT; i++ )); do
    w=\${words[i]}
    if (( skip > 0 )); then (( skip-- )); continue; fi
    case $w in
      (${machine.split("|").map((m) => `${m}=*`).join("|")}) machine+=($w) ;;
      (${valuedPattern}) skip=1; case $w in (${machine}) machine+=($w \${words[i+1]}) ;; esac ;;
      (-[0-9]*|+[0-9]*) args+=($w) ;;
      (-*) ;;
      (*) if [[ -z $cmd ]]; then cmd=$w; else args+=($w); fi ;;
    esac
  done
  if [[ $cur == --*=* ]]; then
    prev=\${cur%%=*}
    compset -P '*='
  fi
  case $prev in
${valueCase}
  esac
  if [[ \${PREFIX:-$cur} == -* ]]; then
    case $cmd in
${optionCase}
      (*) ${add(every)} ;;
    esac
    return 0
  fi
  case $cmd in
    ('') ${add(Words.commandNames())} ;;
${wordCase}
  esac
  return 0
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _switchyard "$@"
else
  compdef _switchyard switchyard
fi
`;
};

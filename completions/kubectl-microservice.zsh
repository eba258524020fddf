#compdef kubectl-microservice
# zsh completion for kubectl-microservice
# Install: kubectl-microservice completion zsh > "${fpath[1]}/_kubectl-microservice"
#      or: source <(kubectl-microservice completion zsh)   (after compinit)
# Every answer comes from the program itself: `kubectl-microservice __complete WORDS... WORD`
# prints "candidate<TAB>description" lines, then ":<directive>" (cobra's protocol, as kubectl uses).

_kubectl-microservice()
{
    local out last directive c v d
    local -a lines cands globs
    out=$(${words[1]} __complete "${(@Q)words[2,CURRENT-1]}" "${(Q)words[CURRENT]}" 2>/dev/null) || return 1
    lines=("${(@f)out}")
    last=${lines[-1]}
    directive=${last#:}
    [[ $last == :* && $directive == <-> ]] || return 1
    lines=("${(@)lines[1,-2]}")
    (( directive & 1 )) && return 1
    if (( directive & 8 )); then
        # The candidates are file extensions.
        for c in $lines; do
            globs+=("*.$c")
        done
        _files -g "(${(j:|:)globs})"
        return
    fi
    if (( directive & 16 )); then
        _files -/
        return
    fi
    if (( ${#lines} == 0 )); then
        (( directive & 4 )) || _files
        return
    fi
    for c in $lines; do
        v=${c%%$'\t'*}
        d=""
        [[ $c == *$'\t'* ]] && d=${c#*$'\t'}
        cands+=("${v//:/\\:}${d:+:$d}")
    done
    if (( directive & 2 )); then
        _describe -t values 'values' cands -S ''
    else
        _describe -t values 'values' cands
    fi
}

if [[ $funcstack[1] == _kubectl-microservice ]]; then
    _kubectl-microservice "$@"
else
    compdef _kubectl-microservice kubectl-microservice
fi

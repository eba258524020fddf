# bash completion for kubectl-microservice
# Install: source <(kubectl-microservice completion bash), or copy this file to
# /usr/share/bash-completion/completions/kubectl-microservice.
# Every answer comes from the program itself: `kubectl-microservice __completeNoDesc WORDS... WORD`
# prints candidates one per line, then ":<directive>" (cobra's protocol, as kubectl uses).

_kubectl_microservice()
{
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words
    # Split on blanks only, so "--output=json" and "a:b" stay one word for the program.
    read -r -a words <<<"$line"
    local cur=""
    if [[ -n $line && $line != *[[:space:]] ]]; then
        cur=${words[${#words[@]}-1]}
        unset 'words[${#words[@]}-1]'
    fi
    local out
    out=$("${words[0]}" __completeNoDesc "${words[@]:1}" "$cur" 2>/dev/null) || return 0
    local last=${out##*$'\n'}
    local directive=${last#:}
    [[ $last == :* && $directive =~ ^[0-9]+$ ]] || return 0
    local -a cands=()
    if [[ $out == *$'\n'* ]]; then
        mapfile -t cands <<<"${out%$'\n'*}"
    fi
    COMPREPLY=()
    ((directive & 1)) && return 0

    # Bash replaces only its own word, which COMP_WORDBREAKS may have cut after "=" or ":".
    local word=${COMP_WORDS[COMP_CWORD]}
    [[ $cur == *"$word" ]] || word=$cur
    local head=${cur%"$word"}

    ((directive & 2)) && compopt -o nospace 2>/dev/null
    ((directive & 32)) && compopt -o nosort 2>/dev/null
    local c
    if ((directive & 8)); then
        # The candidates are file extensions: matching files and every directory.
        compopt -o filenames 2>/dev/null
        for c in "${cands[@]}"; do
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -X "!*.$c" -- "$word")
        done
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$word")
        return 0
    fi
    if ((directive & 16)); then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$word")
        return 0
    fi
    if ((${#cands[@]} == 0)); then
        if ! ((directive & 4)); then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$word")
        fi
        return 0
    fi
    for c in "${cands[@]}"; do
        [[ $c == "$head"* ]] && COMPREPLY+=("${c#"$head"}")
    done
    return 0
}

complete -F _kubectl_microservice kubectl-microservice

# fish completion for kubectl-microservice
# Install: kubectl-microservice completion fish | source, or save it as
# ~/.config/fish/completions/kubectl-microservice.fish
# Every answer comes from the program itself: `kubectl-microservice __complete WORDS... WORD`
# prints "candidate<TAB>description" lines, then ":<directive>" (cobra's protocol, as kubectl uses).

function __kubectl_microservice_has_bit --argument-names directive bit
    test (math "floor($directive / $bit) % 2") -eq 1
end

function __kubectl_microservice_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] $cur 2>/dev/null)
    or return
    set -l last $out[-1]
    string match -qr '^:[0-9]+$' -- $last
    or return
    set -l directive (string sub -s 2 -- $last)
    set -e out[-1]
    __kubectl_microservice_has_bit $directive 1
    and return
    if __kubectl_microservice_has_bit $directive 8
        # The candidates are file extensions: matching files and every directory.
        set -l exts (string join '|' -- (string escape --style=regex -- $out))
        for f in (__fish_complete_path $cur)
            set -l path (string split -f1 \t -- $f)
            if string match -q -- '*/' $path; or string match -qr -- "\.($exts)\$" $path
                echo $f
            end
        end
        return
    end
    if __kubectl_microservice_has_bit $directive 16
        __fish_complete_directories $cur
        return
    end
    if test (count $out) -eq 0
        __kubectl_microservice_has_bit $directive 4
        or __fish_complete_path $cur
        return
    end
    printf '%s\n' $out
end

complete -c kubectl-microservice -f -a '(__kubectl_microservice_complete)'

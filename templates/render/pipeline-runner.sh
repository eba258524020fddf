# The scheduler (templates/render/pipeline-runner.sh). A task starts once every task it waits for
# has finished successfully: a task without depends_on waits for the task before it, so the tasks
# run one after another; tasks with depends_on run in parallel as soon as their dependencies are
# done. The first failure stops the pipeline with that task's exit code. The last task is the
# service: when it exits the container exits, and the pod's restart reruns the pipeline from the top.
set -u
set -m # each task runs in its own process group, so stopping kills the whole task
root=$PWD
log() { printf 'pipeline: %s\n' "$*" >&2; }

# Finished tasks report "<index> <exit code>" on a FIFO: the scheduler sleeps until one is done.
fifo_dir=$(mktemp -d) && mkfifo "$fifo_dir/done" && exec 3<>"$fifo_dir/done" || {
    log "cannot create a FIFO under ${TMPDIR:-/tmp}"
    exit 1
}
rm -rf "$fifo_dir"

declare -a state pids
stop() {
    trap - TERM INT
    local p
    for p in ${pids[@]+"${pids[@]}"}; do
        kill -TERM -- "-$p" 2>/dev/null
    done
    exit "$1"
}
trap 'log "terminated: stopping the tasks"; stop 143' TERM
trap 'stop 130' INT

if [[ -n $requirements ]]; then
    log "installing $requirements"
    pip install -r "$root/$requirements" </dev/null || {
        rc=$?
        log "pip install -r $requirements failed with exit code $rc"
        exit "$rc"
    }
fi

n=${#names[@]}
last=$((n - 1))
for ((i = 0; i < n; i++)); do
    state[i]=waiting
done

start_ready() {
    local i d ready
    for ((i = 0; i < n; i++)); do
        [[ ${state[i]} == waiting ]] || continue
        ready=1
        for d in ${deps[i]}; do
            [[ ${state[d]} == done ]] || ready=0
        done
        ((ready)) || continue
        log "task '${names[i]}' started: ${descriptions[i]}"
        ( (run_task "$i") </dev/null 3>&-; echo "$i $?" >&3 ) &
        pids[i]=$!
        disown
        state[i]=running
    done
}

while true; do
    start_ready
    read -r -u 3 i rc || continue
    unset 'pids[i]'
    if ((rc != 0)); then
        log "task '${names[i]}' failed with exit code $rc: stopping the pipeline"
        stop "$rc"
    fi
    if ((i == last)); then
        log "task '${names[i]}' (the service) exited: the container exits and the pipeline reruns when the pod restarts"
        stop 0
    fi
    log "task '${names[i]}' finished"
    state[i]=done
done

# One migration of g1 between two simulated hosts, the source's domain
# records under DIR/s and the receiver's under DIR/d: source it after
# lib.sh. The receiver writes DIR/dest.err, DIR/dest.rc and DIR/r.json.

# pair_start DIR [source options...]: run it in the background; the
# source's pid is $PAIR_PID, its stdout DIR/out, its stderr DIR/err.
# $PAIR_RECV adds options to the receiver's command line, $PAIR_WRAP a
# command (nohup) in front of the source's.
pair_start() {
    local dir=$1; shift
    mkdir -p "$dir/s" "$dir/d"
    ${PAIR_WRAP:-} "$T" --sim --json --sim-mem 16 --sim-profile idle \
        --sim-host-dir "$dir/s" "$@" -s "" g1 \
        "sh -c ': >\"$dir/dest.started\"; exec 2>\"$dir/dest.err\"; \
\"$T\" --receive --sim --sim-host-dir \"$dir/d\" ${PAIR_RECV:-} \
--report-json \"$dir/r.json\"; echo \$? >\"$dir/dest.rc\"'" \
        >"$dir/out" 2>"$dir/err" &
    PAIR_PID=$!
}

# pair_wait DIR: the source's exit code in $RC, once the receiver is
# done too (a source that died does not wait for it).
pair_wait() {
    set +e
    wait "$PAIR_PID"
    RC=$?
    set -e
    wait_receiver "$1" 150
}

# wait_for FILE PATTERN [tenths]: until PATTERN shows in FILE; 1 (and
# says so) if it never does.
wait_for() {
    local n=0
    while ! grep -q -- "$2" "$1" 2>/dev/null; do
        [ $n -lt "${3:-300}" ] ||
            { echo "\"$2\" never showed in $1" >&2; return 1; }
        sleep 0.1; n=$((n + 1))
    done
}

# pair_state DIR: both hosts as one word. src: runs on the source only;
# dst: at the destination only; susp: suspended on the source, nothing
# there; undef-dst: suspended on the source, running there; twice: it
# runs on both; anything else spelled out.
pair_state() {
    local s=$1/s d=$1/d ss=none ds=none di=none
    [ -f "$s/g1" ] && ss=$(cat "$s/g1")
    [ -f "$d/g1" ] && ds=$(cat "$d/g1")
    [ -f "$d/g1--incoming" ] && di=$(cat "$d/g1--incoming")
    case "$ss/$ds/$di" in
    running/none/none) echo src ;;
    none/running/none) echo dst ;;
    suspended/none/none) echo susp ;;
    suspended/running/none) echo undef-dst ;;
    running/running/*) echo twice ;;
    *) echo "$ss/$ds/$di" ;;
    esac
}

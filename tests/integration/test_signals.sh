# HUP, INT, TERM, QUIT and PIPE at each phase of a migration never leave
# the guest suspended and never run it twice: before "go" the source
# rolls back (exit 2, guest running here, nothing kept there), after it
# the source waits for the answer and commits (exit 0); PIPE is ignored.
# The signal comes from outside while the destination holds the source
# in the phase (an injected stall there). The switchover's wait before
# go exists in two steps only (--switchover two-step); in one flight
# go leaves with the last pages, so a signal while the destination
# restores ("flight") is after go. Last, a lost terminal: the source's
# pty hung up at the two steps' switchover.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pair_lib.sh"
set -e
: "${SIG_JOBS:=4}"
export XLMIG_FAULT_STALL_S=3

# Where the destination stalls to hold the source in each phase.
point_of() {
    case $1 in
    precheck) echo precheck ;; prepare) echo prepare ;;
    precopy) echo precopy-round ;; switchover|flight) echo switchover ;;
    after-go) echo commit ;;
    esac
}

# cell SIG PHASE: one migration, DIR/result says ok or FAIL and why.
cell() {
    local sig=$1 phase=$2 dir="$WORK/$1-$2" want got why=""
    local point how=one-flight
    point=$(point_of "$phase")
    [ "$phase" = switchover ] && how=two-step
    # 64 MiB of raw records: the stall after 4 records still finds
    # round 1 under way (coded, the idle guest's whole round fits in
    # the data streams' socket buffers, and go is out before the
    # signal).
    XLMIG_FAULT=dest:$point:stall pair_start "$dir" --sim-mem 64 \
        --compress off --switchover "$how"
    wait_for "$dir/dest.err" "stall at $point on dest" 300 2>"$dir/why" ||
        { echo "$sig $phase FAIL ($(cat "$dir/why"))" >"$dir/result";
          kill "$PAIR_PID"; return; }
    sleep 0.2
    kill -s "$sig" "$PAIR_PID" 2>/dev/null || true
    pair_wait "$dir"
    want="2 src aborted true"
    case $sig/$phase in
    PIPE/*|*/after-go|*/flight) want="0 dst migrated false" ;;
    esac
    got="$RC $(pair_state "$dir") $(json_get "$dir/out" outcome)"
    got="$got $(json_get "$dir/out" guest_on_source)"
    [ "$got" = "$want" ] || why="got $got, expected $want"
    # Rolled back from the phase it was held in, not a later one.
    if [ "${want%% *}" = 2 ]; then
        local last
        last=$(grep -o '"phase":"[a-z]*"' "$dir/out" | cut -d'"' -f4 |
               grep -v -x rollback | tail -1)
        [ "$last" = "$phase" ] || why="$why; rolled back from $last"
    fi
    printf '%-5s %-10s %-24s %s\n' "$sig" "$phase" "$got" \
        "${why:+FAIL ($why)}" >"$dir/result"
    [ -n "$why" ] || sed -i 's/ *$/ ok/' "$dir/result"
}

cells=""
for s in HUP INT TERM QUIT PIPE; do
    for p in precheck prepare precopy switchover flight after-go; do
        cells="$cells $s:$p"
    done
done
JOBS_RUNNING=0
for c in $cells; do
    cell "${c%%:*}" "${c#*:}" &
    job_started "$SIG_JOBS"
done
wait
nfail=0
for c in $cells; do
    f="$WORK/${c%%:*}-${c#*:}/result"
    if [ -f "$f" ]; then cat "$f"; else echo "$c: no result FAIL"; fi
    grep -q ' ok$' "$f" 2>/dev/null || {
        nfail=$((nfail + 1))
        tail -3 "$WORK/${c%%:*}-${c#*:}/err" | sed 's/^/    /'
    }
done

# Under nohup a hangup is survived: the migration goes on.
dir="$WORK/nohup"
XLMIG_FAULT=dest:switchover:stall PAIR_WRAP=nohup pair_start "$dir" \
    --switchover two-step
wait_for "$dir/dest.err" "stall at switchover on dest" || fail "nohup"
kill -HUP "$PAIR_PID"
pair_wait "$dir"
if [ "$RC $(pair_state "$dir")" = "0 dst" ]; then
    echo "HUP under nohup at switchover: ignored, migrated"
else
    echo "HUP under nohup: exit $RC, state $(pair_state "$dir") FAIL"
    nfail=$((nfail + 1))
fi

# The terminal goes away at the switchover: the source, session leader
# on a pty, gets the hangup and then EIO on every write to it.
dir="$WORK/lost-tty"
mkdir -p "$dir/s" "$dir/d"
command -v script >/dev/null || fail "script(1) (bsdutils) is needed"
XLMIG_FAULT=dest:switchover:stall XLMIG_FAULT_STALL_S=30 \
    script -q -c "exec \"$T\" --sim --sim-mem 16 --sim-profile idle \
--switchover two-step --sim-host-dir '$dir/s' -s '' g1 \"sh -c ': >$dir/dest.started; \
exec 2>$dir/dest.err; $T --receive --sim --sim-host-dir $dir/d; \
echo \\\$? >$dir/dest.rc'\"" /dev/null </dev/null >/dev/null 2>&1 &
spid=$!
wait_for "$dir/dest.err" "stall at switchover on dest" || fail "lost tty"
[ "$(cat "$dir/s/g1")" = suspended ] || fail "lost tty: not suspended yet"
{ kill -KILL "$spid"; wait "$spid"; } 2>/dev/null || true
n=0
while [ ! -f "$dir/dest.rc" ] && [ $n -lt 150 ]; do
    sleep 0.1; n=$((n + 1))
done
st=$(pair_state "$dir")
if [ "$st" = src ]; then
    echo "lost tty at switchover: rolled back, guest running on the source"
else
    echo "lost tty at switchover: state $st FAIL"
    nfail=$((nfail + 1))
fi
echo "signals: $(echo $cells | wc -w) cells, nohup and a lost tty," \
    "$nfail failed"
[ $nfail = 0 ]

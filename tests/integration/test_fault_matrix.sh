# The fault matrix on the simulator: every (side x point x kind) of
# XLMIG_FAULT (docs/reliability.md) runs a short migration between two
# simulated hosts (domain records under a directory each) and checks the
# exit code and what is left: the guest runs on exactly one host, nothing
# else is left, or -- where a process died at the wrong moment or the
# commit was not confirmed -- exactly the state `recover` resolves, and
# then recover is run and must leave one running guest and nothing else
# (on clean states it must do nothing). Each simulated host has its own
# run directory, so every cell runs with the guest locks on both hosts
# and recover (told the guest's uuid) must get past whatever a crash
# left of them. The lock cells: the guest's lock on one host held by a
# live migration (refused, nothing touched) or left by a dead process
# (taken over, migrated).
. "$(dirname "$0")/lib.sh"
set -e
: "${MATRIX_JOBS:=4}"
export XLMIG_FAULT_STALL_S=10

SRC_POINTS="precheck prepare precopy precopy-round suspended verify
switchover go go-sent commit rollback"
DST_POINTS="precheck prepare precopy precopy-round restore switchover commit
done rollback"
KINDS="exit close stall error sigint sighup sigterm sigquit sigpipe"
# Kinds that make sense at one place only: a stray answer to go, a link
# that crawls once the guest is down.
EXTRA_CELLS="dest:commit:stray dest:done:stray source:suspended:slow
source:switchover:slow"

# expect SIDE POINT KIND -> "<source exit code> <state>". States:
#   src        guest runs on the source, nothing at the destination
#   dst        guest runs at the destination, nothing on the source
#   src+inc    src, plus a paused <name>--incoming left at the destination
#              (the receiver died mid-restore): recover removes it
#   susp       the source copy is suspended, nothing at the destination
#              (the source died after suspending): recover resumes it
#   undef-src  source suspended, destination still paused --incoming:
#              never unpaused there, so recover resumes the source
#   undef-dst  source suspended, guest runs at the destination: recover
#              destroys the source copy
# "a|b": either, as a race decides. The one-flight switchover sends go
# with the stream's end: a destination that dies or falls silent once
# the source has sent it (at its end of the stream, after its restore,
# in its rollback) leaves the source unable to tell, so exit 3 and one
# of the states recover resolves. At the 4th record (the end of the 16
# MiB guest's first round) the source has only a few KiB left to send:
# whether it meets the closed pipe before it has sent go is a race.
expect() {
    local side=$1 point=$2 kind=$3 x
    case $kind in
    stray) echo "3 undef-dst"; return ;;   # after go: unknown, recover
    slow) echo "1 src"; return ;;          # the switchover deadline
    # Ignored: the write that meets a closed pipe fails, nothing else.
    sigpipe) [ "$point" = rollback ] && echo "1 src" || echo "0 dst"
        return ;;
    sighup|sigterm|sigquit) kind=sigint ;; # one handling for them all
    esac
    if [ "$side" = source ]; then
        x=99; [ "$kind" = exit ] || x=1
        [ "$kind" = sigint ] && x=2
        case $point in
        precheck)
            [ "$kind" = stall ] && { echo "0 dst"; return; }
            echo "$x src" ;;
        prepare|precopy|precopy-round) echo "$x src" ;;
        suspended|verify|switchover|go)
            [ "$kind" = exit ] && { echo "99 susp"; return; }
            echo "$x src" ;;
        go-sent)
            case $kind in
            exit) echo "99 undef-dst" ;;
            close|error) echo "3 undef-dst" ;;
            *) echo "0 dst" ;;
            esac ;;
        commit)
            case $kind in
            exit) echo "99 undef-dst" ;;
            error) echo "0 undef-dst" ;;  # destroy failed: warned
            *) echo "0 dst" ;;
            esac ;;
        rollback)
            [ "$kind" = exit ] && { echo "99 susp"; return; }
            echo "1 src" ;;
        esac
        return
    fi
    case $point in
    precheck|prepare|precopy) echo "1 src" ;;
    precopy-round)
        case $kind in
        exit) echo "1 src+inc|3 undef-src" ;;
        close) echo "1 src|3 susp" ;;
        stall) echo "1 src|3 undef-dst" ;;
        *) echo "1 src" ;;
        esac ;;
    restore|switchover|rollback)
        case $kind in
        exit) echo "3 undef-src" ;;
        close) echo "3 susp" ;;
        # Silent until the source gave up; then restored past the
        # budget go gave it, so it does not start the guest: discarded.
        stall) echo "3 susp" ;;
        *) echo "1 src" ;;
        esac ;;
    commit)
        case $kind in
        exit) echo "3 undef-src" ;;
        close) echo "3 susp" ;;
        stall) echo "3 undef-dst" ;;
        error) echo "1 src" ;;
        sigint) echo "0 dst" ;;
        esac ;;
    done)
        case $kind in
        exit|close|stall) echo "3 undef-dst" ;;
        *) echo "0 dst" ;;
        esac ;;
    esac
}

# The state of both simulated hosts, as one word (see expect).
state_of() {
    local s=$1/s d=$1/d g=$2 st
    local ss=none ds=none di=none
    [ -f "$s/$g" ] && ss=$(cat "$s/$g")
    [ -f "$d/$g" ] && ds=$(cat "$d/$g")
    [ -f "$d/$g--incoming" ] && di=$(cat "$d/$g--incoming")
    # Anything else in either directory is a leftover of its own.
    st=$(ls -A "$s" "$d" | grep -v -x -e "$g" -e "$g--incoming" \
         -e "" -e "$s:" -e "$d:" | tr '\n' ' ')
    [ -z "$st" ] || { echo "junk:$st"; return; }
    case "$ss/$ds/$di" in
    running/none/none) echo src ;;
    none/running/none) echo dst ;;
    running/none/paused) echo src+inc ;;
    suspended/none/none) echo susp ;;
    suspended/none/paused) echo undef-src ;;
    suspended/running/none) echo undef-dst ;;
    *) echo "bad:$ss/$ds/$di" ;;
    esac
}

# migrate_g1 DIR: g1 from DIR/s to DIR/d, each host with its run
# directory (DIR/run-s, DIR/run-d); the source's exit code. A 3 s
# switchover deadline: the source waits twice that after go in one
# flight (the restore's share and the activation's), well under the
# 10 s of a stall, so a stalled destination meets a source that gave up.
migrate_g1() {
    local dir=$1
    XLMIG_RUN_DIR=$dir/run-s "$T" --sim --json --sim-mem 16 \
        --sim-profile idle --io-timeout 4 --switchover-deadline-min 3000 \
        --switchover-deadline-max 3000 --sim-host-dir "$dir/s" -s "" g1 \
        "sh -c ': >\"$dir/dest.started\"; XLMIG_RUN_DIR=\"$dir/run-d\" \
\"$T\" --receive --sim --io-timeout 4 --sim-host-dir \
\"$dir/d\" --report-json \"$dir/r.json\" 2>\"$dir/dest.err\";
echo \$? >\"$dir/dest.rc\"'" >"$dir/out" 2>"$dir/err"
}

# The uuid the simulator gives g1 (16 MiB), from a dry run's lock row.
XLMIG_RUN_DIR=$WORK/run-probe "$T" --sim --sim-mem 16 --dry-run -s "" g1 \
    "XLMIG_RUN_DIR=\"$WORK/run-probe-d\" \"$T\" --receive --sim" \
    >"$WORK/probe" 2>&1 || true
U=$(sed -n 's/.*guest g1 (uuid \([0-9a-f-]*\)) is not locked.*/\1/p' \
    "$WORK/probe" | head -1)
[ -n "$U" ] || { cat "$WORK/probe"; fail "no guest uuid from a dry run"; }

# lock_cell SIDE HOLDER: g1's lock on SIDE's host is held by a live,
# stalled migration of g1 between two other simulated hosts (live), or
# left by a process that died (dead); then g1 migrates.
lock_cell() {
    local side=$1 holder=$2 dir="$WORK/lock-$1-$2" hp="" run want st
    local hs hd n=0 t0 verdict=ok why="" rc
    t0=$(date +%s%N)
    mkdir -p "$dir/s" "$dir/d" "$dir/hs" "$dir/hd"
    if [ "$side" = source ]; then run=$dir/run-s; else run=$dir/run-d; fi
    if [ "$holder" = live ]; then
        hs=$dir/run-hs; hd=$dir/run-hd
        if [ "$side" = source ]; then hs=$run; else hd=$run; fi
        XLMIG_FAULT=$side:prepare:stall XLMIG_RUN_DIR=$hs "$T" --sim \
            --sim-mem 16 --sim-profile idle --io-timeout 30 \
            --sim-host-dir "$dir/hs" -s "" g1 "XLMIG_RUN_DIR='$hd' '$T' \
--receive --sim --io-timeout 30 --sim-host-dir '$dir/hd'" \
            >"$dir/holder.out" 2>&1 &
        hp=$!
        while [ ! -f "$run/lock/guest-$U" ] && [ $n -lt 100 ]; do
            sleep 0.1; n=$((n + 1))
        done
        want="1 src"
    else
        mkdir -p "$run/lock"
        chmod 700 "$run" "$run/lock"
        printf 'pid = %s\nop = migrate\nsince = %s\n' "$(sh -c 'echo $$')" \
            "$(date +%s)" >"$run/lock/guest-$U"
        want="0 dst"
    fi
    set +e
    migrate_g1 "$dir"
    rc=$?
    set -e
    wait_receiver "$dir" 100
    if [ -n "$hp" ]; then kill "$hp" 2>/dev/null || true; wait "$hp" || true; fi
    st=$(state_of "$dir" g1)
    [ "$rc $st" = "$want" ] || { verdict=FAIL; why="expected $want"; }
    case $side/$holder in
    source/live) grep -q "is locked by pid $hp (migrate, since" "$dir/err" ;;
    dest/live) grep -q "failed on dest: guest-lock: .* is locked by pid" \
                   "$dir/err" ;;
    */dead) grep -qs "lock taken over from dead pid" "$dir/err" \
                "$dir/dest.err" ;;
    esac || { verdict=FAIL; why="$why; not said: $(tail -1 "$dir/err")"; }
    printf '%-28s %-13s %-28s %5s %s%s\n' "lock:$side:$holder" "$want" \
        "$rc $st" "$(( ($(date +%s%N) - t0) / 1000000 ))" "$verdict" \
        "${why:+ ($why)}" >"$dir/result"
}

# cell SIDE POINT KIND: run one migration, write DIR/result.
cell() {
    local side=$1 point=$2 kind=$3 dir="$WORK/$1-$2-$3" fault rc want
    local dest_out st rec=""
    local t0
    t0=$(date +%s%N)
    mkdir -p "$dir/s" "$dir/d"
    fault="$side:$point:$kind"
    # Rollback is reached only after a failure: cause one first, with
    # the guest suspended (the worst moment for a second fault).
    [ "$point" = rollback ] && fault="$side:switchover:error,$fault"
    set +e
    XLMIG_FAULT=$fault migrate_g1 "$dir"
    rc=$?
    set -e
    # A source that died does not wait for its receiver: we do.
    wait_receiver "$dir" 100
    want=$(expect "$side" "$point" "$kind")
    st=$(state_of "$dir" g1)
    dest_out=killed
    [ -f "$dir/r.json" ] && dest_out=$(sed -n \
        's/.*"outcome":"\([a-z]*\)".*/\1/p' "$dir/r.json")
    local got="$rc $st" verdict=FAIL why="expected $want" alt
    local IFS_SAVE=$IFS
    IFS='|'
    for alt in $want; do
        [ "$got" = "$alt" ] && { verdict=ok; why=""; }
    done
    IFS=$IFS_SAVE
    # The receiver's own account must agree with its host's records.
    case "$dest_out/$st" in
    migrated/dst|migrated/undef-dst|killed/*) ;;
    migrated/*) verdict=FAIL; why="$why; receiver says migrated" ;;
    */dst|*/undef-dst) verdict=FAIL; why="$why; receiver: $dest_out" ;;
    esac
    # The source's account: guest_on_source true only if it runs there.
    if [ "$rc" != 99 ]; then
        local gos
        gos=$(json_get "$dir/out" guest_on_source)
        case "$gos/$st" in
        true/src|true/src+inc|false/dst|false/undef-*|false/susp) ;;
        *) verdict=FAIL; why="$why; guest_on_source=$gos" ;;
        esac
    fi
    # Whatever is not clean, recover must settle; clean, it must do
    # nothing (checked on the error column, to keep the matrix quick).
    if [ "$verdict" = ok ] && { [ "$kind" = error ] ||
        { [ "$st" != src ] && [ "$st" != dst ]; }; }; then
        set +e
        XLMIG_RUN_DIR=$dir/run-s "$T" recover --sim --sim-host-dir \
            "$dir/s" --uuid "$U" -s "" g1 "XLMIG_RUN_DIR=\"$dir/run-d\" \
\"$T\" inspect --sim --sim-host-dir \"$dir/d\"" >"$dir/recover.out" 2>&1
        local rrc=$?
        set -e
        local after
        after=$(state_of "$dir" g1)
        rec=" recover:$after"
        case "$st" in
        src|src+inc|susp|undef-src) [ "$after" = src ] ;;
        dst|undef-dst) [ "$after" = dst ] ;;
        esac || { verdict=FAIL; why="$why; after recover: $after"; }
        [ $rrc = 0 ] || { verdict=FAIL; why="$why; recover exit $rrc"; }
        case "$st" in src|dst) grep -q "nothing to do" "$dir/recover.out" ||
            { verdict=FAIL; why="$why; recover acted on a clean state"; }
        esac
    fi
    printf '%-28s %-13s %-28s %5s %s%s\n' "$side:$point:$kind" "$want" \
        "$got$rec" "$(( ($(date +%s%N) - t0) / 1000000 ))" "$verdict" \
        "${why:+ ($why)}" >"$dir/result"
}

cells=""
for p in $SRC_POINTS; do for k in $KINDS; do
    cells="$cells source:$p:$k"; done; done
for p in $DST_POINTS; do for k in $KINDS; do
    cells="$cells dest:$p:$k"; done; done
cells="$cells $EXTRA_CELLS"
cells="$cells lock:source:live lock:source:dead lock:dest:live lock:dest:dead"

start=$(date +%s)
JOBS_RUNNING=0
for c in $cells; do
    IFS=: read -r side point kind <<<"$c"
    if [ "$side" = lock ]; then
        lock_cell "$point" "$kind" &
    else
        cell "$side" "$point" "$kind" &
    fi
    job_started "$MATRIX_JOBS"
done
wait

printf '%-28s %-13s %-28s %5s %s\n' cell expected result ms verdict
nfail=0 n=0
for c in $cells; do
    IFS=: read -r side point kind <<<"$c"
    f="$WORK/$side-$point-$kind/result"
    n=$((n + 1))
    if [ -f "$f" ]; then cat "$f"; else echo "$c: no result FAIL"; fi
    grep -q ' ok' "$f" 2>/dev/null || {
        nfail=$((nfail + 1))
        d="$WORK/$side-$point-$kind"
        tail -3 "$d/err" "$d/dest.err" 2>/dev/null | sed 's/^/    /'
    }
done
echo "fault matrix: $n cells, $nfail failed, $(( $(date +%s) - start )) s"
[ $nfail = 0 ]

# Once the guest is suspended a deadline (3 x the planned downtime,
# held to --switchover-deadline-min/-max, default 5 s to 60 s) bounds
# the wait for the last pages and for "ready": past it, before "go", the
# source rolls back and the guest runs on there. And --io-timeout bounds
# a whole operation, so a link that trickles cannot stretch it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pair_lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)

# rolled_back DIR LIMIT_S: exit 1 within LIMIT_S, guest resumed here,
# nothing left there, the deadline named.
rolled_back() {
    local dir=$1 limit=$2 t0=$3 took
    took=$(( ($(date +%s%N) - t0) / 1000000 ))
    assert_rc 1
    [ "$(pair_state "$dir")" = src ] ||
        fail "$dir: state $(pair_state "$dir"), expected src"
    [ "$(json_get "$dir/out" guest_on_source)" = true ] ||
        fail "$dir: guest not on the source"
    [ "$took" -lt $((limit * 1000)) ] ||
        fail "$dir: took $took ms, over $limit s"
    assert_one_line_error "$dir/err" "switchover deadline passed"
    echo "$(basename "$dir"): rolled back after $took ms, suspended" \
        "$(json_get "$dir/out" suspended_ms) ms of a" \
        "$(json_get "$dir/out" switchover_deadline_ms) ms deadline"
}

# rolls_back_soon DIR: a pair (under the fault in the environment) that
# must roll back within 15 s, run under a 50 s timeout.
rolls_back_soon() {
    local dir=$1 t0
    t0=$(date +%s%N)
    timeout 50 bash -c ". '$here/lib.sh'; . '$here/pair_lib.sh';
        pair_start '$dir'; pair_wait '$dir'; exit \$RC" || RC=$?
    RC=${RC:-0}
    rolled_back "$dir" 15 "$t0"
}

# A destination that never says ready: the deadline (5 s, the floor),
# not the 60 s I/O timeout.
dir="$WORK/no-ready"
XLMIG_FAULT=dest:switchover:stall XLMIG_FAULT_STALL_S=120 \
    rolls_back_soon "$dir"
sus=$(json_get "$dir/out" suspended_ms)
[ "${sus%.*}" -lt 6000 ] || fail "suspended $sus ms, deadline 5000"
unset RC

# The link slows to a crawl once the guest is down: the end of the
# memory stream (a few hundred bytes at 5 bytes/s) would take a minute.
dir="$WORK/slow-link"
XLMIG_FAULT=source:switchover:slow XLMIG_FAULT_SLOW_BPS=5 \
    rolls_back_soon "$dir"
unset RC

# The same from the suspend on, last pages (if the round left any) and
# the stream's end, and an operator's bounds.
dir="$WORK/slow-pages"
t0=$(date +%s%N)
XLMIG_FAULT=source:suspended:slow XLMIG_FAULT_SLOW_BPS=50 \
    pair_start "$dir" --sim-profile oltp \
    --switchover-deadline-min 1500 --switchover-deadline-max 3000
pair_wait "$dir"
rolled_back "$dir" 10 "$t0"
dl=$(json_get "$dir/out" switchover_deadline_ms)
[ "${dl%.*}" = 1500 ] || fail "deadline $dl ms, not the 1500 ms floor"
sus=$(json_get "$dir/out" suspended_ms)
[ "${sus%.*}" -lt 2500 ] || fail "suspended $sus ms, deadline 1500"

# A trickling link: 256 bytes every 100 ms after the handshake. Each
# wait is short, the operation is not: --io-timeout 2 ends it, in
# pre-copy, the guest never stopped. (The control channel trickles:
# the memory stream stays on it, --transport ssh.)
dir="$WORK/trickle"
mkdir -p "$dir/s" "$dir/d"
t0=$(date +%s%N)
set +e
timeout 60 "$T" --sim --json --sim-mem 16 --sim-profile idle \
    --transport ssh --io-timeout 2 --sim-host-dir "$dir/s" -s "" g1 \
    "perl '$here/trickle.pl' 65536 256 100 | \"$T\" --receive --sim \
--io-timeout 2 --sim-host-dir '$dir/d' 2>'$dir/dest.err'" \
    >"$dir/out" 2>"$dir/err"
RC=$?
set -e
took=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_rc 1
[ "$took" -lt 20000 ] || fail "trickle: took $took ms"
[ "$(json_get "$dir/out" guest_on_source)" = true ] || fail "trickle: guest"
[ "$(pair_state "$dir")" = src ] || fail "trickle: $(pair_state "$dir")"
assert_one_line_error "$dir/err" "within 2 s"
echo "trickle: --io-timeout 2 ended it after $took ms"

# xlmig.conf sets them too (evacuations have no command line).
printf 'switchover_deadline_min = 1234\n' >"$WORK/xlmig.conf"
dir="$WORK/conf"
XLMIG_CONF="$WORK/xlmig.conf" pair_start "$dir"
pair_wait "$dir"
assert_rc 0
dl=$(json_get "$dir/out" switchover_deadline_ms)
[ "${dl%.*}" = 1234 ] || fail "xlmig.conf: deadline $dl ms, not 1234"
echo "xlmig.conf: switchover_deadline_min 1234 used"

# The bounds are checked.
RC=0; "$T" --sim --switchover-deadline-min 3000 \
    --switchover-deadline-max 2000 g1 h >/dev/null 2>"$WORK/e" || RC=$?
assert_rc 2
assert_one_line_error "$WORK/e" "switchover-deadline-min 3000 ms is above"
RC=0; "$T" --sim --switchover-deadline-max 0 g1 h 2>"$WORK/e" || RC=$?
assert_rc 2
assert_one_line_error "$WORK/e" "switchover-deadline-max"
echo "bounds checked"

# recover and the guest locks (simulator; each host its own run dir):
# a live migration settles itself, so recover on its host is refused
# naming it; after an ambiguous commit (exit 3) the receiver on the
# other host may still be finishing: recover is refused naming it,
# touching nothing, and once it ended recover settles the guest. The
# simulator's views carry no uuid, so recover is told it (--uuid).
. "$(dirname "$0")/lib.sh"
set -e
mkdir -p "$WORK/a" "$WORK/d"
A=$WORK/a; D=$WORK/d
peer="XLMIG_RUN_DIR='$WORK/run-d' '$T' inspect --sim --sim-host-dir '$D'"
rec() {
    local tag=$1; shift
    set +e
    XLMIG_RUN_DIR=$WORK/run-a "$T" recover --sim --sim-host-dir "$A" \
        --uuid "$U" "$@" -s "" g1 "$peer" >"$WORK/$tag.out" 2>"$WORK/$tag.err"
    RC=$?
    set -e
    cat "$WORK/$tag.out" "$WORK/$tag.err"
}
# The uuid the simulator gives g1 (64 MiB), from a dry run's lock row.
XLMIG_RUN_DIR=$WORK/run-a "$T" --sim --sim-mem 64 --dry-run \
    --sim-host-dir "$A" -s "" g1 \
    "XLMIG_RUN_DIR='$WORK/run-d' '$T' --receive --sim" >"$WORK/dry" 2>&1
U=$(sed -n 's/.*guest g1 (uuid \([0-9a-f-]*\)) is not locked.*/\1/p' \
    "$WORK/dry" | head -1)
[ -n "$U" ] || { cat "$WORK/dry"; fail "no uuid from the dry run"; }

# 1. recover beside a live migration on its own host: refused.
XLMIG_RUN_DIR=$WORK/run-a "$T" --sim --sim-mem 64 --sim-profile idle \
    --bandwidth 16 -q --sim-host-dir "$A" -s "" g1 \
    "XLMIG_RUN_DIR='$WORK/run-d' '$T' --receive --sim -q --sim-host-dir '$D'" \
    >"$WORK/m.out" 2>&1 &
P=$!
n=0
while [ ! -f "$D/g1--incoming" ] && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
done
rec r1
assert_rc 2
assert_one_line_error "$WORK/r1.err" \
    "recover g1: guest g1 (uuid $U) is locked by pid $P (migrate, since "
[ "$(cat "$A/g1")" = running ] || fail "recover touched the source"
rec r1d --dry-run
assert_rc 2
assert_one_line_error "$WORK/r1d.err" "is locked by pid $P (migrate, since "
set +e; wait $P; RC=$?; set -e
assert_rc 0
[ "$(cat "$D/g1")" = running ] && [ ! -e "$A/g1" ] || fail "not migrated"
rm -f "$D/g1"

# 2. Ambiguous commit: the receiver stalls after "go" (it will still
# start the guest) and, as over a link that died silently, does not
# see the source give up with exit 3 (its input stays open).
set +e
XLMIG_FAULT=dest:commit:stall XLMIG_FAULT_STALL_S=14 \
XLMIG_RUN_DIR=$WORK/run-a "$T" --sim --sim-mem 64 --sim-profile idle -q \
    --io-timeout 2 --sim-host-dir "$A" -s "" g1 \
    "sh -c '{ cat; sleep 16; } | XLMIG_RUN_DIR=\"$WORK/run-d\" \"$T\" \
--receive --sim -q --io-timeout 30 --sim-host-dir \"$D\" \
--report-json \"$WORK/r.json\" 2>\"$WORK/dest.err\"'" \
    >"$WORK/u.out" 2>"$WORK/u.err"
RC=$?
set -e
assert_rc 3
[ ! -f "$WORK/r.json" ] ||
    { cat "$WORK/u.err" "$WORK/dest.err"; fail "receiver done: too slow"; }
rec r2
assert_rc 2
assert_one_line_error "$WORK/r2.err" \
    "recover g1: guest g1 is locked on [^ ]* by pid [0-9]* (receive, since "
assert_grep "refused: nothing changed" "$WORK/r2.out"
[ "$(cat "$A/g1")" = suspended ] || fail "recover touched the source"
[ "$(cat "$D/g1--incoming")" = paused ] || fail "recover touched the peer"

# Once the receiver has finished, recover settles it: g1 once, at D.
n=0
while [ ! -f "$WORK/r.json" ] && [ $n -lt 200 ]; do
    sleep 0.1; n=$((n + 1))
done
[ "$(cat "$D/g1")" = running ] || fail "receiver did not start g1"
rec r3
assert_rc 0
[ ! -e "$A/g1" ] && [ "$(cat "$D/g1")" = running ] &&
    [ ! -e "$D/g1--incoming" ] || fail "not settled: $(ls "$A" "$D")"
left=$(ls -A "$WORK/run-a/lock")$(ls -A "$WORK/run-d/lock")
[ -z "$left" ] || fail "locks left behind: $left"
echo "PASS: recover and locks"

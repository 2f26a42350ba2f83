# Guest locks on the simulator: two migrations of one guest at once
# (one refused, naming the other; the guest runs once), two sources
# feeding one destination (its receiver refuses the second with a
# failed check row naming the holder), and a lock left by a process
# that died (taken over, said so). Each simulated host has its own run
# directory (XLMIG_RUN_DIR), as each real host has its /run/xlmig.
. "$(dirname "$0")/lib.sh"
set -e
mkdir -p "$WORK/a" "$WORK/b" "$WORK/d"
A=$WORK/a; B=$WORK/b; D=$WORK/d
recv="XLMIG_RUN_DIR='$WORK/run-d' '$T' --receive --sim --sim-host-dir '$D'"

# mig HOST_DIR RUN_DIR TAG [args]: migrate g1 to D in the background
mig() {
    local dir=$1 run=$2 tag=$3; shift 3
    XLMIG_RUN_DIR=$run "$T" --sim --json --sim-mem 64 --sim-profile idle \
        --sim-host-dir "$dir" "$@" -s "" g1 "$recv" \
        >"$WORK/$tag.out" 2>"$WORK/$tag.err" &
}
# Until the first migration is under way (its guest at D, paused).
wait_incoming() {
    local n=0
    while [ ! -f "$D/g1--incoming" ] && [ $n -lt 100 ]; do
        sleep 0.1; n=$((n + 1))
    done
}
# race HOST1 RUN1 TAG1 HOST2 RUN2 TAG2: a slow migration, then a second
# one while the first is under way; the first must succeed. Sets P1
# (the first's pid) and RC (the second's exit), prints the second's
# stderr.
race() {
    local p2 rc1 rc2
    mig "$1" "$2" "$3" --bandwidth 16
    P1=$!
    wait_incoming
    mig "$4" "$5" "$6"
    p2=$!
    set +e; wait $p2; rc2=$?; wait $P1; rc1=$?; set -e
    cat "$WORK/$6.err"
    [ "$rc1" = 0 ] || { cat "$WORK/$3.err"; fail "$3 (first): exit $rc1"; }
    RC=$rc2
}
# How many hosts record g1 running.
running_count() {
    local n=0 f
    for f in "$A/g1" "$B/g1" "$D/g1"; do
        [ -f "$f" ] && [ "$(cat "$f")" = running ] && n=$((n + 1))
    done
    echo $n
}

# 1. Two migrations of g1 from A at once.
race "$A" "$WORK/run-a" m1 "$A" "$WORK/run-a" m2
assert_rc 1
assert_one_line_error "$WORK/m2.err" \
    "guest g1 (uuid [0-9a-f-]*) is locked by pid $P1 (migrate, since "
assert_grep "; try again when it ends" "$WORK/m2.err"
[ "$(running_count)" = 1 ] || fail "g1 runs on $(running_count) hosts"
[ "$(cat "$D/g1")" = running ] || fail "g1 not at the destination"
[ ! -e "$A/g1" ] || fail "g1 left on the source: $(cat "$A/g1")"
left=$(ls -A "$WORK/run-a/lock")$(ls -A "$WORK/run-d/lock")
[ -z "$left" ] || fail "locks left behind: $left"

# 2. Two sources (hosts A and B, each holding a g1) feed D at once: the
# second receiver refuses, naming the first; D runs g1 once.
rm -f "$D/g1"
race "$A" "$WORK/run-a" s1 "$B" "$WORK/run-b" s2
assert_rc 1
assert_one_line_error "$WORK/s2.err" "pre-check failed on dest: guest-lock:\
 guest g1 (uuid [0-9a-f-]*) on [^ ]* is locked by pid [0-9]* (receive, since "
[ "$(cat "$D/g1")" = running ] || fail "g1 not at the destination"
[ "$(cat "$B/g1")" = running ] || fail "the refused source lost its g1"
[ ! -e "$A/g1" ] || fail "g1 left on the first source"

# 3. A lock left by a process that died: taken over, and said so.
rm -f "$D/g1" "$B/g1"
XLMIG_RUN_DIR=$WORK/run-a "$T" --sim --sim-mem 64 --sim-profile idle \
    --dry-run --sim-host-dir "$A" -s "" g1 "$recv" >"$WORK/dry" 2>&1
uuid=$(sed -n 's/.*guest-lock.*guest g1 (uuid \([0-9a-f-]*\)).*/\1/p' \
       "$WORK/dry" | head -1)
[ -n "$uuid" ] || { cat "$WORK/dry"; fail "dry run shows no guest-lock"; }
assert_grep "guest g1 (uuid $uuid) is not locked" "$WORK/dry"
# another simulated guest is another uuid: it is locked on its own
XLMIG_RUN_DIR=$WORK/run-a "$T" --sim --sim-mem 64 --dry-run -s "" g2 \
    "$recv" >"$WORK/dry2" 2>&1
grep -q "guest g2 (uuid [0-9a-f-]*) is not locked" "$WORK/dry2" &&
    ! grep -q "$uuid" "$WORK/dry2" || fail "g2 has g1's uuid"
dead=$(sh -c 'echo $$')
printf 'pid = %s\nop = migrate\nsince = %s\n' "$dead" "$(date +%s)" \
    >"$WORK/run-a/lock/guest-$uuid"
set +e
XLMIG_RUN_DIR=$WORK/run-a "$T" --sim --sim-mem 64 --sim-profile idle \
    --sim-host-dir "$A" -s "" g1 "$recv" >"$WORK/t.out" 2>"$WORK/t.err"
RC=$?; set -e
assert_rc 0
assert_grep "lock taken over from dead pid $dead (migrate, since " \
    "$WORK/t.err"
[ "$(running_count)" = 1 ] && [ "$(cat "$D/g1")" = running ] ||
    fail "g1 not once at the destination after the takeover"
[ ! -e "$WORK/run-a/lock/guest-$uuid" ] || fail "lock file left behind"
echo "PASS: guest locks"

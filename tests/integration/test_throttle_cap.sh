# A throttled guest's own CPU cap is on disk (RUN_DIR/throttle/<uuid>;
# a simulated host keeps its own, DIR/.run/throttle/<uuid>) from before
# the first change until it is back: the normal path and
# the rollback remove it; a source killed while throttling leaves it,
# with the guest still capped; status reports that guest, and recover
# puts its cap back and removes the record.
. "$(dirname "$0")/lib.sh"
set -e
# The source's records are those of simulated host xen1, for status.
H=$WORK/root/xen1 H2=$WORK/dst CAPS=$WORK/root/xen1/.run/throttle
mkdir -p "$H/guests" "$H2"
echo "mem_mib = 4096" >"$H/host.conf"
recv="$T --receive --sim --sim-host-dir $H2"
nocaps() { [ -z "$(ls -A "$CAPS" 2>/dev/null)" ] ||
               fail "$1: cap record left: $(ls "$CAPS")"; }

# Raw records (--compress off): the simulator's pages would compress
# to 2 % and leave nothing to throttle.
# 1. Throttled and migrated: nothing left behind.
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 64 --sim-profile web \
    --bandwidth 30 --compress off --sim-host-dir "$H" -s "" g1 "$recv"
assert_rc 0
[ "$(json_get "$WORK/out" throttled)" = true ] || fail "never throttled"
nocaps "migrated"
[ ! -e "$H/g1" ] && [ "$(cat "$H2/g1")" = running ] || fail "not moved"
rm -f "$H2/g1"

# 2. Throttled and rolled back (the target cannot be met in 2 s): the
#    cap is back and the record gone.
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 64 \
    --sim-profile diabolical --bandwidth 20 --compress off --timeout 2 \
    --sim-host-dir "$H" -s "" g1 "$recv"
assert_rc 2
[ "$(json_get "$WORK/out" throttled)" = true ] || fail "never throttled"
nocaps "rolled back"
[ "$(cat "$H/g1")" = running ] ||
    fail "record after rollback: $(cat "$H/g1")"

# 3. SIGKILL while throttling.
"$T" --sim -q --sim-mem 64 --sim-profile diabolical --bandwidth 20 \
    --compress off \
    --timeout 60 --sim-host-dir "$H" -s "" g1 "$recv" \
    >/dev/null 2>"$WORK/kill.err" &
pid=$!
for i in $(seq 100); do
    grep -q '^cap=' "$H/g1" 2>/dev/null && break
    sleep 0.1
done
ls "$CAPS"/* >/dev/null 2>&1 || fail "no cap record while throttled"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
sleep 0.3
echo "after SIGKILL: record $(tr '\n' ' ' <"$H/g1"); $(ls "$CAPS")"
cap=$(sed -n 's/^cap=//p' "$H/g1")
[ -n "$cap" ] && [ "$cap" -lt 100 ] || fail "guest not left capped"
f=$(ls "$CAPS"/*)
grep -qx "domain = g1" "$f" && grep -qx "cap = 0" "$f" &&
    grep -qx "backend = sim" "$f" || { cat "$f"; fail "cap record"; }

# status notices it.
"$T" status --sim-state "$WORK/root" --sim-host xen1 >"$WORK/st" 2>&1 ||
    { cat "$WORK/st"; fail "status"; }
cat "$WORK/st"
assert_grep "g1 .*throttled by a migration that did not finish: run .*recover" \
    "$WORK/st"
"$T" status --json --sim-state "$WORK/root" --sim-host xen1 >"$WORK/sj"
assert_grep '"throttled":\["g1"\]' "$WORK/sj"

# recover restores the cap and removes the record.
set +e
"$T" recover --sim --sim-host-dir "$H" -s "" g1 \
    "$T inspect --sim --sim-host-dir $H2" >"$WORK/rec" 2>&1
RC=$?
set -e
cat "$WORK/rec"
assert_rc 0
assert_grep "restore g1's CPU cap, left lowered by an unfinished migration: done" \
    "$WORK/rec"
[ "$(cat "$H/g1")" = running ] || fail "cap not restored: $(cat "$H/g1")"
nocaps "recovered"
"$T" status --sim-state "$WORK/root" --sim-host xen1 >"$WORK/st" 2>&1
! grep -q "throttled" "$WORK/st" || fail "status still reports it"
"$T" recover --sim --sim-host-dir "$H" -s "" g1 \
    "$T inspect --sim --sim-host-dir $H2" >"$WORK/rec" 2>&1 ||
    { cat "$WORK/rec"; fail "second recover"; }
assert_grep "^nothing to do" "$WORK/rec"
echo ok

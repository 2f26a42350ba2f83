# The downtime's steps: a destination held up 1 s between the end of the
# memory stream and "ready" shows as its restore, not as bytes in
# flight, because the destination reports its own part.
. "$(dirname "$0")/lib.sh"
set -e
mig() { sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 32 --bandwidth 100 \
    "$@" -s "" g1 "$T --receive --sim"; }

XLMIG_FAULT=dest:switchover:stall XLMIG_FAULT_STALL_S=1 mig
assert_rc 0
[ "$(json_get "$WORK/out" outcome)" = migrated ] || fail "not migrated"
f=$(json_get "$WORK/out" downtime_in_flight_ms)
r=$(json_get "$WORK/out" downtime_restore_ms)
d=$(json_get "$WORK/out" downtime_ms)
[ -n "$f" ] || fail "no downtime_in_flight_ms in the report"
awk -v f="$f" -v r="$r" 'BEGIN { exit !(r >= 900 && f < 900) }' ||
    fail "downtime steps: in flight $f ms, restore $r ms"
awk -v d="$d" 'BEGIN { exit !(d >= 900) }' || fail "downtime $d ms"

# Without the stall the text report names each step.
"$T" --sim --sim-mem 32 --bandwidth 100 -s "" g1 "$T --receive --sim" \
    >"$WORK/text" 2>&1 || fail "plain migration failed"
assert_grep "in flight [0-9]* ms, destination restore [0-9]* ms" "$WORK/text"
echo "held-up destination: restore $r ms, in flight $f ms"

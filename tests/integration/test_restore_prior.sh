# A first move to a host plans with what the destination says its own
# restores cost (its prepare reply), not with two round trips alone; a
# receive records its own cost; a downtime several times the prediction
# is said in one line and in the JSON report.
. "$(dirname "$0")/lib.sh"
set -e
export XLMIG_STATE_DIR=$WORK/state
restore=$XLMIG_STATE_DIR/switchover/_restore
hist=$XLMIG_STATE_DIR/switchover/local_receiver
mig() { sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 32 --bandwidth 100 \
    "$@" -s "" g1 "$T --receive --sim"; }

# A receive that stalls 1 s after "go": recorded as this host's own
# restore cost, and the surprise said (nothing predicted a second).
XLMIG_FAULT=dest:commit:stall XLMIG_FAULT_STALL_S=1 mig
assert_outcome "$WORK/out" 0 migrated
[ -s "$restore" ] || fail "the receiver recorded no restore cost"
cost=$(awk 'END { print $2 }' "$restore")
[ "$cost" -ge 900 ] || fail "recorded restore $cost ms, expected >= 900"
[ "$(json_get "$WORK/out" downtime_over_prediction)" = true ] ||
    fail "a downtime far over its prediction not flagged"
assert_grep "x the .* ms predicted" "$WORK/err"

# The source forgets its own history of the pair: the destination's
# word is planned with, and said.
rm -f "$hist"
"$T" --sim --dry-run --sim-mem 32 -s "" g1 "$T --receive --sim" \
    > "$WORK/dry" 2>&1 || fail "dry run failed: $(cat "$WORK/dry")"
assert_grep "restore-cost .*restores a guest in up to $cost ms" "$WORK/dry"
mig
assert_rc 0
planned=$(json_get "$WORK/out" switchover_cost_ms)
awk -v p="$planned" -v c="$cost" 'BEGIN { exit !(p >= c) }' ||
    fail "planned switchover $planned ms, the destination said $cost ms"
[ "$(json_get "$WORK/out" downtime_over_prediction)" = false ] ||
    fail "a downtime within its prediction flagged"

# With the pair's own history back, that wins: no row.
"$T" --sim --dry-run --sim-mem 32 -s "" g1 "$T --receive --sim" \
    > "$WORK/dry" 2>&1 || fail "dry run failed"
! grep -q "restore-cost" "$WORK/dry" || fail "prior used beside history"
echo "restore cost $cost ms learned, planned with ($planned ms), surprise said"

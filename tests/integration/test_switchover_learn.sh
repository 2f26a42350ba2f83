# The switchover cost is learned per destination: a slow switchover
# (the receiver held up 1 s after "go") is remembered, an explicit
# --max-downtime it cannot meet is then refused before the guest is
# touched, while the default target only shapes pre-copy.
. "$(dirname "$0")/lib.sh"
set -e
export XLMIG_STATE_DIR=$WORK/state
hist=$XLMIG_STATE_DIR/switchover/local_receiver
mig() { sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 32 --bandwidth 100 \
    "$@" -s "" g1 "$T --receive --sim"; }

# Nothing learned yet: the check passes and says so.
mig --dry-run --max-downtime 300
assert_rc 0
[ ! -e "$hist" ] || fail "a dry run recorded a switchover"

# A switchover that takes over a second.
XLMIG_FAULT=dest:commit:stall XLMIG_FAULT_STALL_S=1 mig
assert_outcome "$WORK/out" 0 migrated
[ -s "$hist" ] || fail "no switchover recorded in $hist"
cost=$(awk 'END { print $2 }' "$hist")
[ "$cost" -ge 900 ] || fail "recorded switchover $cost ms, expected >= 900"
m=$(json_get "$WORK/out" switchover_measured_ms)
awk -v m="$m" 'BEGIN { exit !(m >= 900) }' ||
    fail "report says switchover $m ms"
# The downtime's steps put the second where it was spent: after "go".
g=$(json_get "$WORK/out" downtime_go_to_running_ms)
r=$(json_get "$WORK/out" downtime_restore_ms)
awk -v g="$g" -v r="$r" 'BEGIN { exit !(g >= 900 && r < 900) }' ||
    fail "downtime steps: go to running $g ms, restore $r ms"

# An explicit bound below it: refused at pre-check, nothing moved.
mig --max-downtime 300
assert_outcome "$WORK/out" 1 refused
[ "$(json_get "$WORK/out" guest_on_source)" = true ] ||
    fail "guest not on source"
assert_one_line_error "$WORK/err" "switchover-cost: switchover to local receiver took up to $cost ms"
assert_grep "over --max-downtime 300 ms" "$WORK/err"
[ "$(wc -l < "$hist")" = 1 ] || fail "a refusal recorded a switchover"

# The same bound from the configuration file is just as explicit.
printf 'max_downtime = 300\n' > "$WORK/xlmig.conf"
XLMIG_CONF=$WORK/xlmig.conf mig
assert_rc 1
assert_grep "over --max-downtime 300 ms" "$WORK/err"

# The dry run shows it too, as a failed check.
"$T" --sim --dry-run --max-downtime 300 --sim-mem 32 -s "" g1 \
    "$T --receive --sim" > "$WORK/dry" 2>&1 && fail "dry run passed"
assert_grep "FAIL  source  switchover-cost" "$WORK/dry"

# Allowed long downtime: it migrates.
mig --max-downtime 300 --allow-long-downtime
assert_rc 0
[ "$(wc -l < "$hist")" = 2 ] || fail "second switchover not recorded"

# No bound asked for: the default target shapes pre-copy, never refuses.
mig
assert_rc 0
reason=$(json_get "$WORK/out" stop_reason)
case $reason in
    *"default target"*) ;;
    *) fail "stop reason \"$reason\"" ;;
esac

# A damaged history is a warning and a fresh start, not a failure.
# (The receiver shares this state directory: its own restore costs,
# 1 s since the stall, would still say the bound cannot be met.)
rm -f "$XLMIG_STATE_DIR/switchover/_restore"
echo garbage > "$hist"
mig --max-downtime 300
assert_rc 0
assert_grep "ignoring switchover history: $hist: switchover history line 1" \
    "$WORK/err"
[ "$(wc -l < "$hist")" = 1 ] || fail "history not started afresh"
# A first migration to a host has nothing to go by: a bound it then
# misses is not refused, but it is said, and the next one is refused.
export XLMIG_STATE_DIR=$WORK/state2
XLMIG_FAULT=dest:commit:stall XLMIG_FAULT_STALL_S=1 mig --max-downtime 300
assert_outcome "$WORK/out" 0 migrated
[ "$(json_get "$WORK/out" downtime_over_bound)" = true ] ||
    fail "downtime over the bound not flagged"
assert_grep "was over --max-downtime 300 ms" "$WORK/err"
assert_grep "next migration there with this bound is refused" "$WORK/err"
mig --max-downtime 300
assert_outcome "$WORK/out" 1 refused
# Within the bound, no such flag.
mig --max-downtime 300 --allow-long-downtime
assert_rc 0
[ "$(json_get "$WORK/out" downtime_over_bound)" = false ] ||
    fail "flagged although long downtime was allowed"
echo "learned $cost ms; bound refused; default target kept; overrun said"

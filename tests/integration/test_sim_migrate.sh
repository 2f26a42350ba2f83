# A simulated guest migrates to a second process; memory verified.
. "$(dirname "$0")/lib.sh"
set -e
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 64 --sim-profile web \
    --bandwidth 100 -s "" g1 "$T --receive --sim"
assert_rc 0
[ "$(json_get "$WORK/out" outcome)" = migrated ] || fail "not migrated"
[ "$(tail -1 "$WORK/out" | jq -r .verified.memory.result)" = match ] ||
    fail "memory not verified"
[ "$(json_get "$WORK/out" guest_on_source)" = false ] ||
    fail "guest still on source"
# Every page went out once at least: raw bytes, before the codec.
sent=$(tail -1 "$WORK/out" | jq -r .codec.raw_bytes)
[ "$sent" -ge $((64 * 1024 * 1024)) ] || fail "sent only $sent bytes"
assert_grep "is running here, memory verified" "$WORK/err"
# Progress events came first, percent never above 100.
grep -q '"event":"progress"' "$WORK/out" || fail "no progress events"
! grep -o '"percent":[0-9.]*' "$WORK/out" | cut -d: -f2 |
    awk '$1 > 100 { bad = 1 } END { exit !bad }' || fail "percent > 100"
echo "downtime $(json_get "$WORK/out" downtime_ms) ms"

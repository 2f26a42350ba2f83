# The catch-up before the suspend: between the source and a slow
# destination sits a deep buffer (32 MiB of pre-copy taken in at once,
# passed on at 8 MiB/s). The source waits, the guest still running,
# until the destination has read it all; only the last pages and the
# stream's end are left inside the downtime. Without it, memory-end
# waits behind the buffer: seconds of downtime.
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)
MIB=$((1024 * 1024))

sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 32 --sim-profile idle \
    --transport ssh --compress off -s "" g1 \
    "perl '$here/deep_buffer.pl' $((8 * MIB)) | \"$T\" --receive --sim"
assert_rc 0
[ "$(json_get "$WORK/out" outcome)" = migrated ] || fail "not migrated"
drain=$(json_get "$WORK/out" drain_ms)
down=$(json_get "$WORK/out" downtime_ms)
[ "${down%.*}" -lt 1000 ] || fail "downtime $down ms behind the buffer"
# 32 MiB at 8 MiB/s: about 4 s, taken while the guest ran.
[ -n "$drain" ] || fail "no drain_ms in the report"
[ "${drain%.*}" -ge 2000 ] || fail "caught up in $drain ms, not seconds"
echo "deep buffer: caught up in $drain ms before the suspend," \
    "downtime $down ms"

# The text report says it, over the data path too.
set +e
"$T" --sim --sim-mem 64 --sim-profile idle -s "" g1 \
    "$T --receive --sim" >"$WORK/text" 2>"$WORK/err"
RC=$?
set -e
assert_rc 0
assert_grep "before suspend: *the destination caught up with the stream" \
    "$WORK/text"
assert_grep "transport: *tls" "$WORK/text"
echo "data path: $(grep 'before suspend' "$WORK/text" | sed 's/^ *//')"

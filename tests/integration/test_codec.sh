# The record codec: a guest with many zero pages sends far fewer bytes,
# memory verified; --compress off sends them raw; --compress on
# compresses; the report says so, in JSON and in text.
. "$(dirname "$0")/lib.sh"
set -e
MIB=$((1024 * 1024))
rep() { tail -1 "$WORK/out" | jq -r "$1"; }

# 128 MiB, the last 96 MiB zero, at 100 MiB/s: auto.
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 128 --sim-zero 96 \
    --sim-profile idle --bandwidth 100 -s "" g1 "$T --receive --sim"
assert_rc 0
[ "$(rep .outcome)" = migrated ] || fail "not migrated"
[ "$(rep .verified.memory.result)" = match ] || fail "memory not verified"
[ "$(rep .codec.compress)" = auto ] || fail "not auto by default"
zero=$(rep .codec.zero_pages)
[ "$zero" -ge $((96 * 256)) ] || fail "only $zero zero pages skipped"
raw=$(rep .codec.raw_bytes)
sent=$(rep .bytes_sent)
[ "$raw" -ge $((128 * MIB)) ] || fail "raw bytes $raw below the memory"
# Zero pages alone leave a quarter; far fewer than the memory.
[ "$sent" -lt $((40 * MIB)) ] || fail "auto sent $sent bytes"
echo "auto: $sent bytes sent for $raw, $zero zero pages;" \
    "$(rep .codec.why)"

# Off: the same guest, every page raw.
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 128 --sim-zero 96 \
    --sim-profile idle --bandwidth 100 --compress off -s "" g1 \
    "$T --receive --sim"
assert_rc 0
[ "$(rep .verified.memory.result)" = match ] || fail "memory not verified"
[ "$(rep .codec.zero_pages)" = 0 ] || fail "off skipped zero pages"
[ "$(rep .codec.compressing)" = false ] || fail "off compressed"
[ "$(rep .codec.compressed_records)" = 0 ] || fail "off compressed"
sent_off=$(rep .bytes_sent)
[ "$sent_off" -ge $((128 * MIB)) ] || fail "off sent only $sent_off"
rep .codec.why | grep -q -- "--compress off" || fail "off: no reason"
[ "$sent" -lt $((sent_off / 3)) ] ||
    fail "auto ($sent) not far below off ($sent_off)"

# On, no zero page: the simulator's pages compress, memory verified;
# the text report says it.
set +e
"$T" --sim --sim-mem 64 --sim-profile idle --compress on -s "" g1 \
    "$T --receive --sim" >"$WORK/text" 2>"$WORK/err"
RC=$?
set -e
assert_rc 0
assert_grep "memory: *verified" "$WORK/text"
assert_grep "memory records: .* 0 zero pages skipped, compression on:" \
    "$WORK/text"
assert_grep "on (--compress on)" "$WORK/text"
wire=$(sed -n 's/.*memory records: *\([0-9.]*\) MiB sent for.*/\1/p' \
    "$WORK/text")
awk -v w="$wire" 'BEGIN { exit !(w < 16) }' ||
    fail "on: $wire MiB on the wire for 64 MiB"

# A bad value is a usage error naming it.
set +e
"$T" --sim --compress maybe g1 x >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
assert_rc 2
assert_one_line_error "$WORK/err" "--compress: \"maybe\" is not auto"

# SIGINT during pre-copy: exit 2, guest still running on the source, the
# destination discards what it had.
. "$(dirname "$0")/lib.sh"
set -e
"$T" --sim --json --sim-mem 64 --bandwidth 10 -s "" g1 \
    "$T --receive --sim" >"$WORK/o" 2>"$WORK/e" &
pid=$!
# Interrupt once pre-copy runs, however slow the machine is today.
for i in $(seq 1 300); do
    grep -q '"phase":"precopy"' "$WORK/o" && break
    sleep 0.1
done
grep -q '"phase":"precopy"' "$WORK/o" || fail "pre-copy never started"
sleep 0.5
kill -INT $pid
set +e; wait $pid; RC=$?; set -e
assert_rc 2
[ "$(json_get "$WORK/o" outcome)" = aborted ] || fail "not aborted"
[ "$(json_get "$WORK/o" guest_on_source)" = true ] || fail "guest lost"
assert_grep "receive: aborted.*nothing kept here" "$WORK/e"
assert_one_line_error "$WORK/e" "cancelled"

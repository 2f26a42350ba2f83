# SIGINT during pre-copy: exit 2, guest still running on the source, the
# destination discards what it had.
. "$(dirname "$0")/lib.sh"
set -e
"$T" --sim --json --sim-mem 64 --bandwidth 10 -s "" g1 \
    "$T --receive --sim" >"$WORK/o" 2>"$WORK/e" &
pid=$!
# Interrupt once pre-copy runs.
wait_precopy "$WORK/o"
kill -INT $pid
set +e; wait $pid; RC=$?; set -e
assert_aborted "$WORK/o"
assert_grep "receive: aborted.*nothing kept here" "$WORK/e"
assert_one_line_error "$WORK/e" "cancelled"

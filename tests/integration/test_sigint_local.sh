# Ctrl-C with -s "": a terminal's SIGINT goes to the whole foreground
# process group -- the source, the shell it started and the local
# receiver. The source rolls back ("aborted", exit 2, the guest still
# running here); the receiver, in a group of its own, is ended by the
# source's abort and not by the signal, so the outcome never reads
# "Broken pipe".
. "$(dirname "$0")/lib.sh"
set -e
# job control: the job gets a process group of its own, as at a shell
set -m
"$T" --sim --json --sim-mem 64 --bandwidth 10 -s "" g1 \
    "$T --receive --sim" >"$WORK/o" 2>"$WORK/e" &
pid=$!
set +m
wait_precopy "$WORK/o"
# what ^C does: the signal to every process of the foreground group
kill -INT -- "-$pid"
set +e; wait $pid; RC=$?; set -e
cat "$WORK/e"
assert_aborted "$WORK/o"
! grep -qi "broken pipe" "$WORK/o" "$WORK/e" || fail "broken pipe"
assert_one_line_error "$WORK/e" "cancelled"
assert_grep "receive: aborted.*nothing kept here" "$WORK/e"
echo "PASS: ^C with a local receiver"

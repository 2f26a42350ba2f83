# Bad input: one-line error naming the problem, non-zero exit, and the
# source guest still running.
. "$(dirname "$0")/lib.sh"
set -e
R="$T --receive --sim"

set +e; "$T" --sim --frobnicate g1 h >/dev/null 2>"$WORK/e"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/e" "unknown option --frobnicate"

set +e; "$T" --sim --bandwidth fast g1 h >/dev/null 2>"$WORK/e"; RC=$?
set -e
assert_rc 2; assert_one_line_error "$WORK/e" "--bandwidth: \"fast\" is not"

set +e; "$T" --sim --max-downtime -5 g1 h >/dev/null 2>"$WORK/e"; RC=$?
set -e
assert_rc 2; assert_one_line_error "$WORK/e" "--max-downtime"

set +e; "$T" --sim g1 >/dev/null 2>"$WORK/e"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/e" "expected <domain> <host>"

set +e; "$T" --sim --sim-profile nosuch g1 h >/dev/null 2>"$WORK/e"; RC=$?
set -e
assert_rc 2; assert_one_line_error "$WORK/e" "unknown workload profile"

# Unreachable destination: the transport command fails at once.
sim_migrate "$WORK/o" "$WORK/e" -- --sim-mem 16 -s false g1 nowhere
assert_rc 1
assert_one_line_error "$WORK/e" "cannot reach destination nowhere"
assert_grep "guest still running on the source" "$WORK/e"
[ "$(json_get "$WORK/o" guest_on_source)" = true ] || fail "guest lost"

# A destination that is not an xlmig receiver at all.
sim_migrate "$WORK/o" "$WORK/e" -- --sim-mem 16 -s "" g1 \
    "echo 'bash: xl-migrate-drbd: command not found'"
assert_rc 1
assert_one_line_error "$WORK/e" "does not speak the xlmig protocol"

# A destination that dies in the middle of the stream: raw records
# (--compress off), so that the stream is longer than what the data
# streams' socket buffers hold and the source is still sending when the
# destination dies (coded, the 64 MiB guest's stream fits in them: the
# source sends go before the lagging destination reaches its 8th
# record, and that is the undefined outcome of test_fault_matrix's
# dest:precopy-round cells). Over the data path, and over the one
# stream of --transport ssh.
for tr in tls ssh; do
    sim_migrate "$WORK/o" "$WORK/e" -- --sim-mem 64 --bandwidth 200 \
        --compress off --transport $tr -s "" g1 \
        "env XLMIG_FAULT=dest:precopy-round:exit:2 $R"
    assert_rc 1
    assert_one_line_error "$WORK/e" "connection"
    [ "$(json_get "$WORK/o" guest_on_source)" = true ] ||
        fail "$tr: guest lost"
done

# A corrupted stream: garbage spliced into the records in flight (on
# the one stream of --transport ssh, where the pipe carries them).
sim_migrate "$WORK/o" "$WORK/e" -- --sim-mem 16 --transport ssh -s "" g1 \
    "perl $(dirname "$0")/corrupt.pl 300000 garbage! | $R"
assert_rc 1
assert_grep "guest still running on the source" "$WORK/e"
assert_grep "stream record\|pages record\|control message" "$WORK/e"
[ "$(json_get "$WORK/o" guest_on_source)" = true ] || fail "guest lost"

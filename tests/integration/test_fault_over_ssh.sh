# An injected fault reaches a receiver started through ssh (the test
# bed's way): the fault settings travel on its command line, which ssh
# hands to the remote shell as it is, so each value arrives unquoted
# and whole, and the receiver fails where it was told to.
. "$(dirname "$0")/lib.sh"
set -e
SSH=$(cd "$(dirname "$0")" && pwd)/fake-ssh
export FAKE_SSH_HOSTS="xen2=xen2"
export XLMIG_STATE_DIR=$WORK/state
mig() { sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 16 \
    --sim-profile idle -s "$SSH" --receiver-cmd "$T --receive --sim" \
    g1 xen2; }

XLMIG_FAULT=dest:switchover:error mig
assert_rc 1
assert_grep "injected fault: error at switchover on dest" "$WORK/err"
! grep -q "ignoring XLMIG_FAULT" "$WORK/err" ||
    fail "the receiver did not understand XLMIG_FAULT: $(cat "$WORK/err")"
[ "$(json_get "$WORK/out" outcome)" != migrated ] || fail "migrated"

# Two faults and a stall time: the receiver stalls 1 s at its first
# pre-copy round, then fails at the switchover.
XLMIG_FAULT=dest:precopy-round:stall,dest:switchover:error \
    XLMIG_FAULT_STALL_S=1 mig
assert_rc 1
assert_grep "injected fault: stall at precopy-round on dest" "$WORK/err"
assert_grep "injected fault: error at switchover on dest" "$WORK/err"
echo "faults reach a receiver started through ssh"

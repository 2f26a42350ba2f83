# Helpers for integration tests: source it. $XLMIG_TOOL is the tool.
set -u
T=$XLMIG_TOOL
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# No XLMIG_RUN_DIR here: a source and its local receiver stand for two
# hosts, so a test that wants locks gives each its own run directory;
# simulated hosts keep caps under their --sim-host-dir.
unset XLMIG_RUN_DIR
# The tool's environment is the test's own: nothing of this host's
# (its /etc/xlmig/xlmig.conf, a state directory, a fault or fake left
# exported) reaches it. Every variable the tool reads (getenv,
# xlmig_test_env) is set here or unset; a test sets what it needs
# after sourcing this, and a test's own `bash -c ". lib.sh; ..."` with
# XLMIG_FAULT=... in front keeps what the test gave it. No
# XLMIG_STATE_DIR: given, the simulator learns switchover costs, and
# one migration would steer the next.
if [ "${XLMIG_LIB_ENV:-}" != pinned ]; then
    # a name of its own: tests write their $WORK/xlmig.conf for one run
    export XLMIG_LIB_ENV=pinned XLMIG_CONF=$WORK/.no-host.conf
    : >"$XLMIG_CONF"
    unset XLMIG_STATE_DIR XLMIG_DRBDADM XLMIG_DRBDSETUP XLMIG_TOKEN_DIR \
        XLMIG_HOSTNAME XLMIG_SIM_STATE XLMIG_SIM_HOST XLMIG_XEN_DIR \
        XLMIG_FAULT XLMIG_FAULT_DRBD_CMD XLMIG_FAULT_SLOW_BPS \
        XLMIG_FAULT_STALL_S LIBXL_SAVE_HELPER XLMIG_LDISK_BIN \
        XLMIG_LDISK_DRBD_MODULE
fi

fail() { echo "FAIL: $*" >&2; exit 1; }

# sim_migrate OUT ERR -- [args]: simulated migration to a local
# receiver; stdout/stderr to files, exit code in $RC.
sim_migrate() {
    local out=$1 err=$2; shift 3
    set +e
    "$T" --sim --json "$@" >"$out" 2>"$err"
    RC=$?
    set -e
}

# json_get FILE KEY: a value from the last report object in FILE.
json_get() {
    grep '"event":"report"' "$1" | tail -1 |
        sed -n "s/.*\"$2\":\\(\"[^\"]*\"\\|[^,}]*\\).*/\\1/p" | tr -d '"'
}

# On a wrong exit code, show what the tools said.
assert_rc() {
    [ "$RC" = "$1" ] && return 0
    ( tail -n 5 "$WORK"/* 2>/dev/null ) >&2 || true
    fail "exit code $RC, expected $1"
}
assert_grep() { grep -q -- "$1" "$2" || { cat "$2" >&2;
    fail "\"$1\" not in $2"; }; }
# The error must be one line, naming the problem.
assert_one_line_error() {
    local n
    n=$(grep -c "^xl-migrate-drbd: " "$1" || true)
    [ "$n" = 1 ] || { cat "$1" >&2; fail "expected one error line, got $n"; }
    grep "^xl-migrate-drbd: " "$1" | grep -q -- "$2" ||
        { cat "$1" >&2; fail "error does not mention \"$2\""; }
}

# wait_precopy OUT: until the --json progress in OUT says pre-copy runs
# (however slow the machine is today), then half a second into it.
wait_precopy() {
    local i
    for i in $(seq 1 300); do
        grep -q '"phase":"precopy"' "$1" && break
        sleep 0.1
    done
    grep -q '"phase":"precopy"' "$1" || fail "pre-copy never started"
    sleep 0.5
}
# assert_outcome OUT RC OUTCOME: exit RC (in $RC), the report in OUT
# says OUTCOME.
assert_outcome() {
    local o
    assert_rc "$2"
    o=$(json_get "$1" outcome)
    [ "$o" = "$3" ] || fail "$1: outcome \"$o\", expected $3"
}
# assert_aborted OUT: a cancelled migration (exit 2) whose report in
# OUT says aborted, the guest still on the source.
assert_aborted() {
    assert_outcome "$1" 2 aborted
    [ "$(json_get "$1" guest_on_source)" = true ] || fail "guest lost"
}

# wait_receiver DIR TENTHS: a receiver that wrote DIR/dest.started and
# writes its exit code to DIR/dest.rc, waited for (a source that died
# does not wait for it), TENTHS tenths of a second at the most.
wait_receiver() {
    local n=0
    while [ -f "$1/dest.started" ] && [ ! -f "$1/dest.rc" ] &&
          [ $n -lt "$2" ]; do
        sleep 0.1; n=$((n + 1))
    done
}
# job_started MAX: after starting a background job, wait for one to end
# when MAX run (JOBS_RUNNING counts them; start it at 0).
job_started() {
    JOBS_RUNNING=$((JOBS_RUNNING + 1))
    if [ "$JOBS_RUNNING" -ge "$1" ]; then
        wait -n || true
        JOBS_RUNNING=$((JOBS_RUNNING - 1))
    fi
}

# syslog_start: a stand-in for /dev/log (syslog_listen.py) that the
# test build writes to through $XLMIG_SYSLOG_SOCKET; the lines received
# land in $SYSLOG, one message a line. syslog_lines PATTERN: how many
# match (after giving the last datagrams a moment).
syslog_start() {
    SYSLOG=$WORK/syslog
    : >"$SYSLOG"
    python3 "$(dirname "$0")/syslog_listen.py" "$WORK/log.sock" "$SYSLOG" &
    SYSLOG_PID=$!
    trap 'kill $SYSLOG_PID 2>/dev/null; rm -rf "$WORK"' EXIT
    local n=0
    while [ ! -e "$WORK/log.sock.ready" ] && [ $n -lt 100 ]; do
        sleep 0.05; n=$((n + 1))
    done
    [ -e "$WORK/log.sock.ready" ] || fail "syslog listener did not start"
    export XLMIG_SYSLOG_SOCKET=$WORK/log.sock
}
syslog_lines() { sleep 0.3; grep -c -E -- "$1" "$SYSLOG" || true; }
# The line may still be on its way through the listener: wait for it.
assert_syslog() {
    local n=0
    while ! grep -q -E -- "$1" "$SYSLOG" && [ $n -lt 50 ]; do
        sleep 0.1; n=$((n + 1))
    done
    grep -q -E -- "$1" "$SYSLOG" ||
        { cat "$SYSLOG" >&2; fail "no syslog line matches \"$1\""; }
}

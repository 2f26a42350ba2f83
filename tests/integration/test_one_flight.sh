# The one-flight switchover (docs/design.md, "The one-flight
# switchover"): the source sends the last pages, memory-end and go
# together; the destination restores, verifies and starts the guest
# without a "ready" in between. What each failure after the flight must
# leave: a destination that cannot restore, cannot verify or cannot
# start the guest says not_started and discards, so the source resumes
# (exit 1, the guest runs once, on the source); a destination silent
# after the flight is the undefined outcome (exit 3) that recover
# settles; a DRBD check failing right after the suspend stops the
# source before the flight, so nothing was ever restored there.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pair_lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)

# resumed DIR WHY: exit 1, the guest runs on the source only, nothing
# left at the destination, the source said the destination never
# started it (WHY in its one error line), and it ran one flight.
resumed() {
    local dir=$1
    assert_rc 1
    [ "$(pair_state "$dir")" = src ] ||
        fail "$dir: state $(pair_state "$dir"), expected src"
    [ -z "$(ls -A "$dir/d")" ] || fail "$dir: left at the destination:" \
        "$(ls -A "$dir/d")"
    [ "$(json_get "$dir/out" guest_on_source)" = true ] ||
        fail "$dir: guest_on_source"
    [ "$(json_get "$dir/out" switchover)" = one-flight ] ||
        fail "$dir: switchover $(json_get "$dir/out" switchover)"
    assert_one_line_error "$dir/err" "could not start the guest: .*$2"
    [ "$(sed -n 's/.*"outcome":"\([a-z]*\)".*/\1/p' "$dir/r.json")" = \
        failed ] || fail "$dir: receiver outcome: $(cat "$dir/r.json")"
}

# 1. The restore fails once memory-end (and go behind it) arrived.
dir="$WORK/restore"
XLMIG_FAULT=dest:restore:error pair_start "$dir"
pair_wait "$dir"
resumed "$dir" "injected fault: error at restore"
echo "restore fails after the flight: exit 1, resumed on the source"

# 2. Verification fails: every PAGES record's last page is damaged in
#    flight, the framing intact, so memory-end's digest does not match.
#    The pages must travel on the ssh pipe, as raw PAGES records, for
#    flip_pages.pl to find them: --transport ssh --compress off.
dir="$WORK/verify"
mkdir -p "$dir/s" "$dir/d"
set +e
"$T" --sim --json --sim-mem 16 --sim-profile idle --transport ssh \
    --compress off --sim-host-dir "$dir/s" -s "" g1 "sh -c 'perl \"$here/flip_pages.pl\" | \"$T\" \
--receive --sim --sim-host-dir \"$dir/d\" --report-json \"$dir/r.json\" \
2>\"$dir/dest.err\"'" >"$dir/out" 2>"$dir/err"
RC=$?
set -e
resumed "$dir" "memory verification failed"
echo "verification fails after the flight: exit 1, resumed on the source"

# 3. Activation fails cleanly (the guest never ran there): not_started.
dir="$WORK/activate"
XLMIG_FAULT=dest:commit:error pair_start "$dir"
pair_wait "$dir"
resumed "$dir" "injected fault: error at commit"
echo "activation fails: not_started, exit 1, resumed on the source"

# 4. The destination restores and then says nothing: go is already
#    sent, so the source cannot tell (exit 3, the guest suspended here)
#    and recover settles it where it runs, once. (Here the receiver,
#    once the source gave up, finds its restore past go's budget and
#    discards it: the source's copy is the only one.)
dir="$WORK/silent"
XLMIG_FAULT=dest:switchover:stall XLMIG_FAULT_STALL_S=20 pair_start "$dir"
pair_wait "$dir"
assert_rc 3
st=$(pair_state "$dir")
case $st in
susp|undef-dst|suspended/none/paused) ;;
*) fail "silent: state $st, expected the source suspended" ;;
esac
[ "$(json_get "$dir/out" outcome)" = undefined ] || fail "silent: outcome"
[ "$(json_get "$dir/out" guest_on_source)" = false ] ||
    fail "silent: guest_on_source"
assert_one_line_error "$dir/err" "go sent but destination did not confirm"
assert_grep "run: xl-migrate-drbd recover g1" "$dir/err"
"$T" recover --sim --sim-host-dir "$dir/s" -s "" g1 \
    "\"$T\" inspect --sim --sim-host-dir \"$dir/d\"" \
    >"$dir/recover.out" 2>&1 || { cat "$dir/recover.out"; fail "recover"; }
after=$(pair_state "$dir")
case $st/$after in
susp/src|undef-dst/dst|suspended/none/paused/src) ;;
*) fail "silent: $st, after recover $after" ;;
esac
echo "silent after the flight: exit 3 ($st), recover left it on one host" \
    "($after)"

# 5. A restore slower than the source's switchover deadline (2 s here,
#    the budget go carries): the destination does not start the guest
#    and says not_started in time, since the source waits the restore's
#    share and the activation's (4 s) before it calls it undefined.
dir="$WORK/slow"
XLMIG_FAULT=dest:restore:stall XLMIG_FAULT_STALL_S=3 pair_start "$dir" \
    --switchover-deadline-min 2000 --switchover-deadline-max 2000
pair_wait "$dir"
resumed "$dir" "past the source's budget of 2000 ms: not started"
echo "restore past the budget: not started, exit 1, resumed on the source"

# 6. The DRBD check right after the suspend fails: the source stops
#    before memory-end, so the destination never restored anything
#    (it saw the abort inside the memory stream) and the guest resumes.
dir="$WORK/drbd"
XLMIG_FAULT=source:verify:error pair_start "$dir"
pair_wait "$dir"
assert_rc 1
[ "$(pair_state "$dir")" = src ] || fail "drbd: $(pair_state "$dir")"
[ -z "$(ls -A "$dir/d")" ] || fail "drbd: left $(ls -A "$dir/d")"
assert_one_line_error "$dir/err" "injected fault: error at verify"
assert_grep "source aborted the migration" "$dir/dest.err"
assert_grep '"memory":{"result":"not-checked"' "$dir/r.json"
[ "$(json_get "$dir/out" guest_on_source)" = true ] || fail "drbd: guest"
echo "DRBD check fails at the suspend: exit 1, nothing restored there"

# 7. The operator's two steps against the same receiver: a "ready", then
#    go; the same silence then rolls back before go (exit 1).
dir="$WORK/two-step"
XLMIG_FAULT=dest:switchover:stall XLMIG_FAULT_STALL_S=20 \
    pair_start "$dir" --switchover two-step
pair_wait "$dir"
assert_rc 1
[ "$(pair_state "$dir")" = src ] || fail "two-step: $(pair_state "$dir")"
[ "$(json_get "$dir/out" switchover)" = two-step ] ||
    fail "two-step: switchover $(json_get "$dir/out" switchover)"
echo "--switchover two-step: silence before go rolls back (exit 1)"

# xlmig.conf chooses it too (evacuations have no command line); the
# command line wins.
printf 'switchover = two-step\n' >"$WORK/xlmig.conf"
dir="$WORK/conf"
XLMIG_CONF="$WORK/xlmig.conf" pair_start "$dir"
pair_wait "$dir"
assert_rc 0
[ "$(json_get "$dir/out" switchover)" = two-step ] ||
    fail "xlmig.conf: switchover $(json_get "$dir/out" switchover)"
dir="$WORK/conf-cli"
XLMIG_CONF="$WORK/xlmig.conf" pair_start "$dir" --switchover one-flight
pair_wait "$dir"
assert_rc 0
[ "$(json_get "$dir/out" switchover)" = one-flight ] ||
    fail "--switchover over xlmig.conf: $(json_get "$dir/out" switchover)"
echo "xlmig.conf switchover = two-step used, --switchover one-flight wins"

# And a bad value is a usage error naming it.
RC=0; "$T" --sim --switchover one-step g1 h >/dev/null 2>"$WORK/e" || RC=$?
assert_rc 2
assert_one_line_error "$WORK/e" "--switchover: \"one-step\" is neither"
echo "--switchover one-step refused"

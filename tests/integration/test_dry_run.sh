# --dry-run prints every check and changes nothing.
. "$(dirname "$0")/lib.sh"
set -e
set +e
"$T" --sim --sim-mem 64 --dry-run -s "" g1 "$T --receive --sim" \
    >"$WORK/o" 2>"$WORK/e"
RC=$?
set -e
assert_rc 0
assert_grep "pass  dest    free-memory" "$WORK/o"
assert_grep "pass  source  domain-running" "$WORK/o"
! grep -q FAIL "$WORK/o" || fail "a check failed"

# A full destination: refused, with the reason.
set +e
"$T" --sim --sim-mem 64 --dry-run -s "" g1 \
    "$T --receive --sim --sim-free-mem 32" >"$WORK/o" 2>"$WORK/e"
RC=$?
set -e
assert_rc 1
assert_grep "FAIL  dest    free-memory .*64 MiB needed, 32 MiB free" "$WORK/o"
assert_one_line_error "$WORK/e" "free-memory"

# Same without --dry-run: refused before any memory moves.
sim_migrate "$WORK/o" "$WORK/e" -- --sim-mem 64 -s "" g1 \
    "$T --receive --sim --sim-existing g1"
assert_rc 1
[ "$(json_get "$WORK/o" outcome)" = refused ] || fail "not refused"
assert_one_line_error "$WORK/e" "name-free"

# Evacuation edge cases: nothing to move, nothing can move, bad input,
# cron mode (silent unless in maintenance and something stays).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
sim_host xen1 1024; sim_host xen2 64

on xen1 evacuate >"$WORK/out"; assert_grep "nothing to evacuate" "$WORK/out"

sim_guest xen1 a 128 r1:xen2
set +e; on xen1 evacuate >"$WORK/out" 2>&1; RC=$?; set -e
assert_rc 2
assert_grep "xen2 has 64 MiB free after 0 MiB planned onto it, 128 MiB" \
    "$WORK/out"

# cron: silent when not in maintenance
set +e; on xen1 evacuate --cron >"$WORK/out" 2>"$WORK/err"; RC=$?; set -e
assert_rc 0; [ ! -s "$WORK/out" ] && [ ! -s "$WORK/err" ] || fail "noisy"
# cron in maintenance: short report on stderr, nothing on stdout
on xen1 maintenance on >/dev/null
set +e; on xen1 evacuate --cron >"$WORK/out" 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; [ ! -s "$WORK/out" ] || fail "cron wrote to stdout"
assert_grep "xen1: 0 of 1 guests moved, 1 still here" "$WORK/err"
assert_grep "  a: xen2 has 64 MiB free" "$WORK/err"
# cron in maintenance, the guest moves after all: one "all done"
sim_host xen2 1024
set +e; on xen1 evacuate --cron >"$WORK/out" 2>"$WORK/err"; RC=$?; set -e
assert_rc 0; [ ! -s "$WORK/err" ] || fail "noisy"
assert_grep "xen1: all done, every guest moved" "$WORK/out"
[ "$(guests_on xen2)" = "a " ] || fail "a not moved"

# Peer unreachable (no such simulated host directory)
sim_guest xen1 b 16 r9:xen9
set +e; on xen1 evacuate --dry-run >"$WORK/out" 2>&1; RC=$?; set -e
assert_rc 2; assert_grep "b (16 MiB) stays: peer xen9: cannot read its status" "$WORK/out"

# Bad input: one line naming it, exit 2, nothing done
for args in "--parallel 0" "--parallel x" "--to a;b" "--frob" "extra"; do
    set +e; on xen1 evacuate $args >/dev/null 2>"$WORK/err"; RC=$?; set -e
    assert_rc 2
    n=$(wc -l <"$WORK/err"); [ "$n" = 1 ] || { cat "$WORK/err"; fail "$args"; }
done
set +e; "$T" evacuate --sim-state "$S" >/dev/null 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "go together"
set +e; on nosuch evacuate >/dev/null 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "simulated host nosuch"
echo 'name = x y' >"$S/xen1/guests/bad.conf"
set +e; on xen1 evacuate >/dev/null 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "bad.conf:1: name"
rm "$S/xen1/guests/bad.conf"
# A damaged journal: return names it and the key
mkdir -p "$S/xen1/journal"
echo '{"version":1,"id":"evac-x","host":"xen1","state":"evacuated","guests":[{"name":"a","result":"moved"}]}' >"$S/xen1/journal/evac-x.json"
on xen1 maintenance off >/dev/null
set +e; on xen1 return >/dev/null 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "guests\[0\].dest is empty"
set +e; on xen1 maintenance sideways >/dev/null 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "sideways"

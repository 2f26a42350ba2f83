# The monitor subcommand's command line, and its failure where there is
# no Xen (this machine): one error line that names the problem, a
# non-zero exit, and no daemon left behind, in the foreground and when
# it daemonizes (its error then comes back through the daemon's pipe).
# Its libxl loop itself needs a dom0: the test bed runs it.
. "$(dirname "$0")/lib.sh"
set -e
run() { set +e; "$T" monitor "$@" >"$WORK/o" 2>"$WORK/e"; RC=$?; set -e; }

run
assert_rc 2
assert_one_line_error "$WORK/e" "monitor: expected one <domain>, got 0"
run g1 g2
assert_rc 2
assert_one_line_error "$WORK/e" "got 2 arguments"
run --bogus g1
assert_rc 2
assert_one_line_error "$WORK/e" "unknown option --bogus"
run --help
assert_rc 0
assert_grep "on_poweroff, on_reboot, on_crash" "$WORK/o"
"$T" --help | grep -q "monitor .*watch a guest" || fail "not in --help"

if [ -e /dev/xen/privcmd ] || [ -e /proc/xen/privcmd ]; then
    echo "a Xen dom0: the no-Xen half is skipped"
    exit 0
fi
for mode in -F ""; do
    run $mode g1
    assert_rc 1
    assert_one_line_error "$WORK/e" "monitor: cannot open libxl"
done
# Nothing of ours lingers: the daemon reported and exited.
sleep 0.2
! ps -eo args | grep -q "^$T monitor" || fail "a monitor process is left"
echo "monitor command line and no-Xen failure as expected"

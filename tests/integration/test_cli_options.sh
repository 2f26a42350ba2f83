# Options anywhere, as getopt_long permutes them: after the operands and
# between them, in every subcommand that takes operands (migrate, bare
# and as "migrate", maintenance, recover, inspect, monitor, xe's keys);
# "--" ends them. And -p/-D of xl migrate: -p leaves the guest paused
# on the destination, through ssh and with -s ""; -D is refused where it
# cannot be kept (simulated guests, -C, the receiver).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
R="$T --receive --sim -q"
run() { set +e; "$T" "$@" >"$WORK/o" 2>"$WORK/e"; RC=$?; set -e; }
state() { head -1 "$WORK/d/$1" 2>/dev/null || echo none; }
fresh() { rm -rf "$WORK/d"; mkdir "$WORK/d"; }

# migrate: options after both operands, and between them
fresh
run g1 "$R --sim-host-dir $WORK/d" --sim --sim-mem 16 -s "" --json
assert_rc 0
[ "$(json_get "$WORK/o" outcome)" = migrated ] || fail "options after"
[ "$(state g1)" = running ] || fail "g1 is $(state g1) there"
fresh
run migrate g2 --sim -s "" "$R --sim-host-dir $WORK/d" --sim-mem 16 -q
assert_rc 0
[ "$(state g2)" = running ] || fail "options between the operands"
# "--" ends them: what follows is an operand, never an option
run --sim -s "" -- g1 "$R" --json
assert_rc 2
assert_one_line_error "$WORK/e" "expected <domain> <host>, got 3 arguments"
run --sim -s "" -- -q "$R"
assert_rc 2
assert_one_line_error "$WORK/e" "domain \"-q\" is not a domain name"
echo "migrate: options after and between the operands; -- ends them"

# host subcommands with operands: options after them
two_hosts g1:16
run maintenance on --sim-state "$S" --sim-host xen1
assert_rc 0; assert_grep "xen1: maintenance on" "$WORK/o"
run maintenance off --sim-state "$S" --sim-host xen1
assert_rc 0
fresh; echo running >"$WORK/d/g1"
run inspect g1 --sim --sim-host-dir "$WORK/d"
assert_rc 0; assert_grep '"g1":"running"' "$WORK/o"
mkdir "$WORK/p"
run recover g1 -s "" "$T inspect --sim --sim-host-dir $WORK/p" --sim \
    --sim-host-dir "$WORK/d" --dry-run
assert_rc 0; assert_grep "nothing to do" "$WORK/o"
run monitor g1 --help
assert_rc 0; assert_grep "^Usage: xl-migrate-drbd monitor" "$WORK/o"
run monitor g1 --bogus
assert_rc 2; assert_one_line_error "$WORK/e" "unknown option --bogus"
run status --sim-host xen1 --json --sim-state "$S"
assert_rc 0; assert_grep '"host":"xen1"' "$WORK/o"
run evacuate --sim-state "$S" --dry-run --sim-host xen1
assert_rc 0; assert_grep "g1 (16 MiB) -> xen2" "$WORK/o"
# xe: options among and after the keys pass through
fresh
set +e
"$top/tools/xe-vm-migrate" vm=g9 host="$R --sim-host-dir $WORK/d" \
    --sim --sim-mem 16 -s "" live=true -q >"$WORK/o" 2>"$WORK/e"; RC=$?
set -e
assert_rc 0
[ "$(state g9)" = running ] || fail "xe: options after the keys"
echo "maintenance, inspect, recover, monitor, status, evacuate, xe:" \
     "options after the operands"

# -p: paused there, with -s "" (the receiver command is the operator's,
# so -p is in it, as with xl) and through ssh (the source adds it).
fresh
run --sim --sim-mem 16 -q -s "" -p g1 "$R -p --sim-host-dir $WORK/d"
assert_rc 0
[ "$(state g1)" = paused ] || fail "-p: g1 is $(state g1) there"
fresh
export FAKE_SSH_HOSTS="xen2=xen2"
run --sim --sim-mem 16 --sim-profile idle -q -s "$top/tests/integration/fake-ssh" \
    --receiver-cmd "$T --receive --sim --sim-host-dir $WORK/d" g1 xen2 -p
assert_rc 0
[ "$(state g1)" = paused ] || fail "-p over ssh: g1 is $(state g1) there"
fresh
run --sim --sim-mem 16 --sim-profile idle -q -s "$top/tests/integration/fake-ssh" \
    --receiver-cmd "$T --receive --sim --sim-host-dir $WORK/d" g1 xen2
assert_rc 0
[ "$(state g1)" = running ] || fail "without -p: g1 is $(state g1) there"
echo "-p: left paused on the destination (with -s \"\" and over ssh)"
# -D: where no domain id can be kept, refused before anything runs
run --sim -D g1 xen2
assert_rc 2; assert_one_line_error "$WORK/e" "-D: simulated guests have no domain id"
run -D -C /dev/null g1 xen2
assert_rc 2; assert_one_line_error "$WORK/e" "-D: with -C"
run --receive -D
assert_rc 2; assert_one_line_error "$WORK/e" "-D: the source's option"
echo "-D refused with --sim, -C, --receive"

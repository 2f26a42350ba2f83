# One exit-code table for every subcommand (EXIT STATUS in
# xl-migrate-drbd(8), and `help`): each code it gives a subcommand is
# produced here on simulated hosts. 0 done; 1 failed, nothing lost;
# 2 a usage error (every subcommand) or not done (aborted, nothing
# could move, refused); 3 migrate's undefined state after the commit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
R="$T --receive --sim -q"
seen=""
# x SUBCOMMAND CODE ARGS...: run the tool, expect CODE
x() {
    local sub=$1 want=$2; shift 2
    set +e; "$T" "$@" >"$WORK/o" 2>"$WORK/e"; RC=$?; set -e
    [ "$RC" = "$want" ] || { cat "$WORK/o" "$WORK/e" >&2;
        fail "$sub: exit $RC, expected $want: $*"; }
    seen="$seen $sub:$want"
}
# h HOST SUBCOMMAND CODE ARGS...: the same on a simulated host
h() { local host=$1 sub=$2 want=$3; shift 3
      x "$sub" "$want" "$sub" "$@" --sim-state "$S" --sim-host "$host"; }

# migrate
x migrate 0 --sim --sim-mem 16 -q -s "" g1 "$R"
x migrate 1 --sim --sim-mem 16 -q -s false g1 nowhere
assert_grep "guest still running on the source" "$WORK/e"
x migrate 2 --sim --bogus g1 h
x migrate 2 migrate g1
x migrate 2 --sim --sim-mem 32 --sim-profile diabolical --bandwidth 40 \
    --max-downtime 1 -s "" g1 "$R"
assert_grep "unmeetable" "$WORK/e"
XLMIG_FAULT=dest:commit:stray x migrate 3 --sim --sim-mem 16 -q -s "" g1 "$R"
assert_grep "run: xl-migrate-drbd recover g1" "$WORK/e"

# evacuate and return: xen1 can move g1 but not g3; xen3 none; xen4 all
sim_host xen1 1024; sim_host xen2 1024; sim_host xen3 1024
sim_host xen4 1024
sim_guest xen1 g1 16 r1:xen2
sim_guest xen1 g3 16 "r3:xen2 r4:xen3"
sim_guest xen3 g4 16 "r5:xen2 r6:xen1"
sim_guest xen4 g5 16 r7:xen2
sim_guest xen4 g6 16 r8:xen2
for b in "" --blocked; do
    h xen4 evacuate 0 --dry-run $b
    h xen1 evacuate 1 --dry-run $b
    h xen3 evacuate 2 --dry-run $b
done
h xen1 evacuate 2 --bogus
h xen1 evacuate 2 extra
h xen1 evacuate 2 --blocked
h xen4 evacuate 0
h xen1 evacuate 1
[ "$(guests_on xen1)" = "g3 " ] || fail "xen1 has $(guests_on xen1)"
h xen1 return 0
[ "$(guests_on xen1)" = "g1 g3 " ] || fail "g1 not back"
# g6 cannot leave xen2 now: one of two back
echo "fault = source:precopy:error" >>"$S/xen2/guests/g6.conf"
h xen4 return 1
h xen4 maintenance 0 on
h xen4 return 2
assert_one_line_error "$WORK/e" "is in maintenance"
h xen4 return 2 --parallel 0

# status and maintenance
h xen1 status 0 --json
mkdir -p "$S/xen9/guests"; echo "mem_mib = 64" >"$S/xen9/host.conf"
echo "nonsense" >"$S/xen9/guests/bad.conf"
h xen9 status 1
h xen1 status 2 extra
h xen1 maintenance 0 status
mkdir -p "$S/xen3/maintenance/x"       # a flag that cannot be removed
h xen3 maintenance 1 off
h xen1 maintenance 2 sideways
h xen1 maintenance 2

# recover and inspect
mkdir "$WORK/a" "$WORK/b"; echo running >"$WORK/a/g1"
peer="$T inspect --sim --sim-host-dir $WORK/b"
x recover 0 recover --sim --sim-host-dir "$WORK/a" -s "" g1 "$peer"
assert_grep "nothing to do" "$WORK/o"
x recover 1 recover --sim --sim-host-dir "$WORK/a" -s "" g1 false
echo running >"$WORK/b/g1"               # two copies run: the operator's
x recover 2 recover --sim --sim-host-dir "$WORK/a" -s "" g1 "$peer"
assert_grep "refused" "$WORK/o"
x recover 2 recover --sim --sim-host-dir "$WORK/a" g1
x inspect 0 inspect --sim --sim-host-dir "$WORK/a" g1
x inspect 1 inspect --sim --sim-host-dir "$WORK/a" g1 --do resume:incoming
x inspect 2 inspect --sim --sim-host-dir "$WORK/a" g1 --do bogus

# monitor, xe, help
x monitor 0 monitor --help
if [ ! -e /dev/xen/privcmd ] && [ ! -e /proc/xen/privcmd ]; then
    x monitor 1 monitor -F g1       # no Xen here: it cannot watch
fi
x monitor 2 monitor
x xe 0 xe host-enable --sim-state "$S" --sim-host xen4
x xe 2 xe host-enable colour=red
x xe 2 xe vm-migrate vm=g1
x xe 2 xe
x help 0 help
x help 2 help nosuch
x help 2 evacuat
echo "codes produced:$seen"

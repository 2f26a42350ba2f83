# The xe-style scripts and the cron job's command on simulated hosts:
# xe-host-disable, then the cron line empties xen1 onto xen2; the
# blocked list; return; key=value errors name the key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
export XLMIG_TOOL=$T XLMIG_SIM_STATE=$S XLMIG_SIM_HOST=xen1
sim_host xen1 1024; sim_host xen2 512
sim_guest xen1 g1 16 r1:xen2
sim_guest xen1 g2 24 r2:xen2
sim_guest xen1 g3 16 "r3:xen2 r4:xen3"

"$top/tools/xe-host-disable" >"$WORK/out"
assert_grep "xen1: maintenance on since" "$WORK/out"
# some guests would stay: exit 1, as the dry run's for the same plan
set +e
"$top/tools/xe-host-get-vms-which-prevent-evacuation" >"$WORK/out"; RC=$?
set -e
assert_rc 1
[ "$(cat "$WORK/out")" = "g3: its DRBD resources have different peers (r3 -> xen2, r4 -> xen3): no one host has all its disks" ] || { cat "$WORK/out"; fail "blocked list"; }

# the cron line's command, as cron would run it
cmd=$(grep -v '^#' "$top/config/xlmig.cron" | grep xl-migrate-drbd |
      cut -f3-)
case $cmd in "test -x /usr/sbin/xl-migrate-drbd && flock -n -E 0 "*" xl-migrate-drbd evacuate --cron") ;;
*) fail "unexpected cron command: $cmd" ;; esac
cmd=${cmd#"test -x /usr/sbin/xl-migrate-drbd && "}
mkdir -p "$WORK/bin"; ln -s "$T" "$WORK/bin/xl-migrate-drbd"
cmd=$(echo "$cmd" | sed "s|/run/lock/|$WORK/|")
set +e
PATH=$WORK/bin:$PATH sh -c "$cmd" >"$WORK/out" 2>"$WORK/err"; RC=$?
set -e
assert_rc 1; [ ! -s "$WORK/out" ] || fail "cron wrote to stdout"
assert_grep "xen1: 2 of 3 guests moved, 1 still here" "$WORK/err"
[ "$(guests_on xen2)" = "g1 g2 " ] || fail "xen2 has $(guests_on xen2)"
# while another run holds the lock: nothing, exit 0
set +e
flock "$WORK/xlmig-evacuate.lock" sh -c "PATH=$WORK/bin:\$PATH $cmd" \
    >"$WORK/out" 2>&1 &
wait $!; set -e

set +e; "$top/tools/xe-host-evacuate" batch-size=two 2>"$WORK/err"; RC=$?
set -e
assert_rc 2; assert_one_line_error "$WORK/err" "batch-size: \"two\""
set +e; "$top/tools/xe-host-evacuate" colour=red 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "unknown key \"colour\""
set +e; "$top/tools/xe-host-disable" host=xen7 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "host=xen7"
set +e; "$top/tools/xe-vm-migrate" vm=g1 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "host= is required"
set +e; "$top/tools/xe-vm-migrate" vm=g1 host=x live=false 2>"$WORK/err"
RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "live=false"
set +e; "$top/tools/xe-vm-migrate" vm=g1 host=x bandwidth=lots \
    2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "bandwidth: \"lots\""
set +e; "$top/tools/xe-vm-migrate" vm=g1 vm=g2 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "\"vm\" given twice"

# a single simulated migration through xe-vm-migrate
"$top/tools/xe-vm-migrate" -s "" --sim --sim-mem 16 vm=g9 \
    host="$T --receive --sim -q" live=true bandwidth=200 \
    max-downtime=500 >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "vm-migrate"; }

"$top/tools/xe-host-enable" >/dev/null
"$T" return >"$WORK/out"
assert_grep "summary: 2 back" "$WORK/out"
[ -z "$(guests_on xen2)" ] || fail "not all back"

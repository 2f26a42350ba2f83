#!/bin/bash
# tb: safety (not in CI; about 3 minutes)
# Two operators at once, and a dropped session, on real Xen:
# - a second `xl-migrate-drbd g1 xen2` while the first is in pre-copy is
#   refused at once, naming the first; the first moves g1; g1 runs on
#   one host only and r0 ends Primary there only;
# - SIGHUP to the source while g1 is suspended for the switchover (the
#   signal a dropped ssh session sends) resumes g1 on xen1: nothing on
#   xen2, r0 Primary on xen1 only, the window closed on both hosts.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

# exactly_once NAME RES: NAME runs on exactly one host, which alone holds
# RES Primary; prints that host.
exactly_once() {
    local on="" h
    for h in $TB_HOSTS; do
        if tb_guest_on "$h" "$1"; then on="$on $h"; fi
    done
    on=${on# }
    [ -n "$on" ] && [ "${on// /}" = "$on" ] || return 1
    for h in $TB_HOSTS; do
        if [ "$h" = "$on" ]; then
            [ "$(tb_drbd_role "$h" "$2")" = Primary ] || return 1
        else
            [ "$(tb_drbd_role "$h" "$2")" = Secondary ] || return 1
        fi
    done
    echo "$on"
}

tb_reset
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig dirty_mb_s=8

# --- two migrations of one guest at once --------------------------------
tb_run -t 60 xen1 "rm -f /tmp/mig-a.log; (setsid xl-migrate-drbd --bandwidth 4 \
    g1 xen2 > /tmp/mig-a.log 2>&1; echo \$? > /tmp/mig-a.rc) \
    > /dev/null 2>&1 < /dev/null & echo \$! > /tmp/mig-a.pid" > /dev/null
# The first is in pre-copy once the DRBD window is open.
tb_ok -t 180 xen1 "for i in \$(seq 900); do
    drbdsetup show --show-defaults r0 | grep -q 'allow-two-primaries.*yes' && exit 0
    sleep 0.2; done; exit 1"
rc=$(tb_run -t 300 xen1 "xl-migrate-drbd g1 xen2 > /tmp/mig-b.log 2>&1; echo \$?")
tb_run xen1 "cat /tmp/mig-b.log" || true
tb_assert "second migration refused (exit $rc)" [ "$rc" != 0 ]
tb_assert_on xen1 "the refusal names the lock and its holder" \
    "grep -q 'locked by pid' /tmp/mig-b.log"
tb_ok -t 900 xen1 "while [ ! -s /tmp/mig-a.rc ]; do sleep 1; done"
tb_run xen1 "cat /tmp/mig-a.log" || true
tb_assert "first migration succeeded" \
    [ "$(tb_run xen1 'cat /tmp/mig-a.rc')" = 0 ]
tb_assert "g1 runs once, on xen2, r0 Primary only there" \
    eval '[ "$(exactly_once g1 r0)" = xen2 ]'
tb_xlmig_assert_after g1 xen1 xen2 r0
for h in xen1 xen2; do
    tb_assert "no guest lock left on $h" \
        eval "[ -z \"\$(tb_run $h 'ls /run/xlmig/lock/guest-* 2>/dev/null')\" ]"
done
tb_xlmig_migrate g1 xen2 xen1
tb_xlmig_assert_after g1 xen2 xen1 r0

# --- SIGHUP while g1 is suspended ----------------------------------------
# A watcher in xen1's dom0 sends HUP the moment xl shows g1 shut down
# (suspended): the switchover, before the destination's restore ends.
tb_run -t 60 xen1 "rm -f /tmp/mig-h.*; (setsid xl-migrate-drbd g1 xen2 \
    > /tmp/mig-h.log 2>&1; echo \$? > /tmp/mig-h.rc) \
    > /dev/null 2>&1 < /dev/null & echo \$! > /tmp/mig-h.pid" > /dev/null
tb_ok -t 600 xen1 "while :; do
    st=\$(xl list g1 2>/dev/null | awk 'NR == 2 { print \$5 }')
    case \$st in *s*) break ;; esac
    [ -s /tmp/mig-h.rc ] && { echo 'migration ended before suspend'; exit 1; }
    sleep 0.1; done
    pkill -HUP -f '^xl-migrate-drbd g1 xen2' && echo hup sent > /tmp/mig-h.sent"
tb_ok -t 600 xen1 "while [ ! -s /tmp/mig-h.rc ]; do sleep 1; done"
tb_run xen1 "cat /tmp/mig-h.log" || true
rc=$(tb_run xen1 'cat /tmp/mig-h.rc')
tb_report "xl-migrate-drbd SIGHUP at switchover exit" "$rc"
tb_assert "SIGHUP at the switchover: aborted (exit $rc)" [ "$rc" = 2 ]
tb_assert "g1 runs once, on xen1, r0 Primary only there" \
    eval '[ "$(exactly_once g1 r0)" = xen1 ]'
tb_assert "no g1 or g1--incoming on xen2" \
    tb_gone xen2 g1
tb_assert "g1 keeps counting on xen1" tb_hb_wait xen1 g1 5 120
for h in xen1 xen2; do
    tb_assert "allow-two-primaries off on $h" tb_xlmig_window_closed "$h" r0
done
tb_ok xen1 "xl destroy g1"
tb_scenario_end

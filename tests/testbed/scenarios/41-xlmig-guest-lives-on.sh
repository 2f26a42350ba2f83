#!/bin/bash
# tb: ci
# A guest xl-migrate-drbd moved, or tried to move, lives on like one xl
# started: after a move xen1 -> xen2 its monitor on xen2 restarts it on
# `xl reboot`, on a reboot from inside and after a crash
# (on_crash="restart"), each time through the DRBD hotplug script (r0
# Primary on xen2 only); `xl shutdown` then leaves no domain, r0 demoted
# and no monitor. The same on xen1 after a migration that rolled back
# after the suspend (xl's own monitor exited at the suspend). Stock
# `xl migrate` first, for comparison: its migrate-receive stays behind
# as the monitor.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
source "$(dirname "$0")/../lib/lifecycle.sh"
tb_scenario_begin

# monitors HOST NAME: how many xl-migrate-drbd monitors watch NAME there.
monitors() {
    tb_run "$1" "pgrep -f 'xl-migrate-drbd monitor .*-- $2\$' | wc -l" 2> /dev/null ||
        echo 0
}
no_monitor_left() {
    tb_assert "no monitor for $2 left on $1" \
        tb_run -t 60 "$1" "for i in \$(seq 60); do
            pgrep -f 'xl-migrate-drbd monitor .*-- $2\$' > /dev/null || exit 0
            sleep 1; done; exit 1"
}

tb_reset
L="dirty_mb_s=2 on_crash=restart"
G="disks=r0 script=block-drbd-xlmig $L"

# --- stock xl, for comparison -------------------------------------------
# drbd-utils' block-drbd: block-drbd-xlmig refuses a promotion no
# xl-migrate-drbd migration asked for, so stock xl cannot use it.
# shellcheck disable=SC2086
tb_guest_create xen1 g1 disks=r0 $L
tb_migrate_stock g1 xen1 xen2
tb_guest_restarts xen2 g1 xl-reboot r0
tb_guest_powers_off xen2 g1 r0

# --- moved by xl-migrate-drbd ---------------------------------------------
# shellcheck disable=SC2086
tb_guest_create xen1 g1 $G
tb_xlmig_migrate g1 xen1 xen2
tb_xlmig_assert_after g1 xen1 xen2 r0
tb_assert "one monitor for g1 on xen2" [ "$(monitors xen2 g1)" = 1 ]
tb_assert "no monitor for g1 left on xen1" [ "$(monitors xen1 g1)" = 0 ]
tb_guest_restarts xen2 g1 xl-reboot r0
tb_guest_restarts xen2 g1 guest-reboot r0
tb_guest_restarts xen2 g1 crash r0
tb_assert "still one monitor for g1 on xen2" [ "$(monitors xen2 g1)" = 1 ]
tb_guest_powers_off xen2 g1 r0
no_monitor_left xen2 g1

# --- a migration rolled back after the suspend ----------------------------
# shellcheck disable=SC2086
tb_guest_create xen1 g1 $G
rc=$(tb_run -t 900 xen1 "XLMIG_FAULT=dest:switchover:error \
    xl-migrate-drbd g1 xen2 > /tmp/xlmig-rb.log 2>&1; echo \$?")
tb_run xen1 "cat /tmp/xlmig-rb.log" || true
tb_assert "injected failure after the suspend: exit 1 (rc $rc)" [ "$rc" = 1 ]
tb_assert "g1 resumed on xen1" tb_hb_wait xen1 g1 5 120
tb_assert "no g1 on xen2" tb_gone xen2 g1
tb_assert "g1 on xen1 is watched by one monitor" \
    tb_run -t 60 xen1 "for i in \$(seq 30); do
        [ \$(pgrep -f 'xl-migrate-drbd monitor .*-- g1\$' | wc -l) = 1 ] && exit 0
        sleep 1; done; exit 1"
tb_guest_restarts xen1 g1 xl-reboot r0
tb_guest_powers_off xen1 g1 r0
no_monitor_left xen1 g1
tb_scenario_end

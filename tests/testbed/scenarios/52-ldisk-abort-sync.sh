#!/bin/bash
# tb: ci
# A local-disk move aborted during its initial sync, twice: SIGINT to
# xl-migrate-drbd on xen1, then the receiver on xen2 killed (SIGKILL).
# Each leaves the guest running on xen1 (one boot, heartbeats in order,
# disk ticks intact) on its original LV with the dm table it had, and
# nothing on xen2: no domain, no LV, no DRBD resource, dm device or
# resource file; nothing temporary on xen1 either.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
tb_scenario_begin

tb_reset
tb_lvm_init
# 64 MiB: the sync takes a minute or more here, time enough to abort it.
tb_ldisk_guest_create xen1 g5 g5 64 disk_ms=200
boot=$TB_BOOT
saved=$(tb_ldisk_table xen1 g5)
declare -A dmesg0
for h in xen1 xen2; do dmesg0[$h]=$(tb_run "$h" "dmesg | wc -l"); done

# left_alone WHAT: the state an abort must leave.
left_alone() {
    local h
    tb_assert "$1: g5 runs on xen1" tb_guest_on xen1 g5
    tb_assert "$1: no g5 on xen2" tb_gone xen2 g5
    tb_assert "$1: g5 keeps counting on xen1" tb_hb_wait xen1 g5 10 120
    tb_assert "$1: one boot ($boot)" \
        eval "[ \"\$(tb_hb_last xen1 g5 | cut -d' ' -f2)\" = $boot ]"
    tb_assert "$1: tbvg-g5 has the table it had" \
        [ "$(tb_ldisk_table xen1 g5)" = "$saved" ]
    tb_assert "$1: no LV g5 on xen2" eval "! tb_lv_exists xen2 g5"
    for h in xen1 xen2; do
        tb_assert "$1: nothing temporary left on $h" tb_ldisk_clean "$h"
    done
    tb_ldisk_leftovers xen1; tb_ldisk_leftovers xen2
    seq=$(tb_disk_check xen1 g5) || tb_fail "$1: g5 saw a disk mismatch or error"
    tb_pass "$1: g5's disk ticks verified up to seq $seq"
}

# 1. SIGINT to the tool on xen1 during the sync.
t_all=$(tb_now) t0=$(tb_now)
tb_ldisk_start xen1 g5 xen2
tb_ldisk_wait_sync xen1 600
tb_ok xen1 'kill -INT $(cat /tmp/xlmig-g5.pid)'
rc=$(tb_ldisk_wait_exit xen1 g5 600) || tb_fail "xl-migrate-drbd did not end after SIGINT"
tb_run xen1 "grep -v '^precopy \|^switchover \|^sync ' /tmp/xlmig-g5.out" || true
tb_assert "SIGINT: xl-migrate-drbd failed (exit $rc)" [ "$rc" != 0 ]
left_alone "SIGINT"
tb_report "ldisk SIGINT in the sync: until clean s" "$(tb_elapsed "$t0")"

# 2. The receiver on xen2 killed during the sync.
t0=$(tb_now)
tb_ldisk_start xen1 g5 xen2
tb_ldisk_wait_sync xen1 600
tb_ok xen2 'pid=$(pgrep -f "^xl-migrate-drbd --receive" | head -1)
    [ -n "$pid" ] && echo "killing the receiver, pid $pid" && kill -9 "$pid"'
rc=$(tb_ldisk_wait_exit xen1 g5 600) || tb_fail "xl-migrate-drbd did not end after its receiver died"
tb_run xen1 "grep -v '^precopy \|^switchover \|^sync ' /tmp/xlmig-g5.out" || true
tb_assert "killed receiver: xl-migrate-drbd failed (exit $rc)" [ "$rc" != 0 ]
left_alone "killed receiver"
tb_report "ldisk receiver killed in the sync: until clean s" "$(tb_elapsed "$t0")"

tb_hb_gap g5 "$t_all" "$(tb_now)"
tb_assert "heartbeats strictly increasing throughout" [ "$TB_HB_OK" = 1 ]
for h in xen1 xen2; do
    tb_assert "no I/O, DRBD or dm error in $h's kernel log" \
        tb_ldisk_dmesg_errors "$h" "${dmesg0[$h]}"
done
tb_ok xen1 "xl destroy g5"
tb_scenario_end

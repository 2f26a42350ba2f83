#!/bin/bash
# tb: ci
# A guest on a local LV (no DRBD of its own) moves xen1 -> xen2 with
# `xl-migrate-drbd --with-local-disks` while it writes to its disk: one
# boot throughout, heartbeats in order, disk ticks intact, its disk on
# xen2 the new LV on its own extents, no temporary resource, dm device
# or LV left on either host, and the source LV kept. `cleanup` removes
# the kept copy; the move back with --delete-source leaves no copy on
# xen2. After a shutdown the LV on xen1 holds what the guest last wrote,
# and the rest of the disk what it held before the first move.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
tb_scenario_begin

tb_reset
tb_lvm_init
tb_ldisk_guest_create xen1 g4 g4 64 dirty_mb_s=4 disk_ms=200
boot=$TB_BOOT
sum0=$(tb_ldisk_sum xen1 /dev/$TB_VG/g4)
declare -A dmesg0
for h in xen1 xen2; do dmesg0[$h]=$(tb_run "$h" "dmesg | wc -l"); done

# after SRC DST: the state a move must leave.
after() {
    local src=$1 dst=$2 h
    tb_assert "g4 runs on $dst" tb_guest_on "$dst" g4
    tb_assert "g4 is gone from $src" tb_gone "$src" g4
    tb_assert "g4 keeps counting on $dst" tb_hb_wait "$dst" g4 10 120
    tb_report "ldisk $src->$dst downtime_s" "$TB_GAP (+-$TB_CLOCK_ERR, hb 100 ms)"
    tb_assert "heartbeats strictly increasing across the move" [ "$TB_HB_OK" = 1 ]
    tb_assert "one boot ($boot): no reboot" \
        eval "[ \"\$(tb_hb_last $dst g4 | cut -d' ' -f2)\" = $boot ]"
    seq=$(tb_disk_check "$dst" g4) || tb_fail "g4 saw a disk mismatch or error"
    tb_pass "g4's disk ticks verified up to seq $seq on $dst"
    tb_assert "g4's disk on $dst is /dev/$TB_VG/g4" \
        eval "tb_run $dst 'xl list -l g4' | grep -q '\"pdev_path\": \"/dev/$TB_VG/g4\"'"
    tb_assert "$TB_VG/g4 on $dst maps onto its own extents, not DRBD" \
        eval "! tb_ldisk_on_drbd $dst g4"
    for h in $src $dst; do
        tb_assert "nothing temporary left on $h" tb_ldisk_clean "$h"
    done
    tb_ldisk_leftovers "$src"; tb_ldisk_leftovers "$dst"
}

tb_ldisk_migrate g4 xen1 xen2
after xen1 xen2
tb_assert "the source LV is kept on xen1" tb_lv_exists xen1 g4
tb_assert_on xen1 "nothing holds the kept LV open" \
    "dmsetup info -c --noheadings -o open $TB_VG-g4 | grep -qx ' *0'"

tb_ok xen1 "xl-migrate-drbd cleanup"
tb_assert "cleanup removed the kept LV on xen1" eval "! tb_lv_exists xen1 g4"

tb_ldisk_migrate g4 xen2 xen1 --delete-source
after xen2 xen1
tb_assert "--delete-source: no copy left on xen2" eval "! tb_lv_exists xen2 g4"
for h in xen1 xen2; do
    tb_assert "no I/O, DRBD or dm error in $h's kernel log" \
        tb_ldisk_dmesg_errors "$h" "${dmesg0[$h]}"
done

tb_ok -t 180 xen1 "xl shutdown -w g4"
last=$(tb_ldisk_last_written xen1 g4) rec=$(tb_ldisk_sector0 xen1 /dev/$TB_VG/g4)
tb_assert "the LV on xen1 holds what g4 last wrote ('$last')" \
    eval "[ -n '$last' ] && [ '$rec' = '$last' ]"
tb_assert "the rest of the disk made the round trip ($sum0)" \
    [ "$(tb_ldisk_sum xen1 /dev/$TB_VG/g4)" = "$sum0" ]
tb_scenario_end
